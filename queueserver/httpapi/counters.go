package httpapi

import (
	"context"
	"net/http"

	"hall"
)

// counterOp runs one counter operation. A clerk acts only on the counter they are logged in to
// (and logs in as themselves); supervisors and admins may act on any counter. The access check
// reads the counter before the operation: only the counter's own clerk (logging out) or a manager
// can change who is logged in between the two, so the check cannot be raced by another clerk.
func (s *Server) counterOp(w http.ResponseWriter, r *http.Request, p Principal) error {
	id, op := r.PathValue("id"), r.PathValue("op")
	if !validOp(op) {
		return hall.Errorf(hall.ENOTFOUND, reasonNoRoute, "未知窗口操作：%s", "unknown counter operation: %s", op)
	}
	var req CounterOpRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil && hall.ErrorReason(err) != reasonBodyEmpty {
			return err
		}
	}
	if op != OpLogin {
		if err := s.checkOwnCounter(r.Context(), p, id); err != nil {
			return err
		}
	}
	ctx, err := withIdempotency(r, p)
	if err != nil {
		return err
	}
	res, err := s.runOp(ctx, id, op, req, p)
	if err != nil {
		return err
	}
	if res.Ticket != nil {
		t := res.Ticket.Public()
		res.Ticket = &t
	}
	if res.Counter != nil {
		c := res.Counter.Public()
		res.Counter = &c
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func validOp(op string) bool {
	for _, o := range CounterOps {
		if o == op {
			return true
		}
	}
	return false
}

// runOp maps an operation to its one domain call.
func (s *Server) runOp(ctx context.Context, id, op string, req CounterOpRequest, p Principal) (CounterOpResult, error) {
	q := s.cfg.Queue
	ticket := func(t hall.Ticket, err error) (CounterOpResult, error) {
		if err != nil {
			return CounterOpResult{}, err
		}
		return CounterOpResult{Ticket: &t}, nil
	}
	counter := func(c hall.Counter, err error) (CounterOpResult, error) {
		if err != nil {
			return CounterOpResult{}, err
		}
		return CounterOpResult{Counter: &c}, nil
	}
	switch op {
	case OpLogin:
		if p.StaffID == "" {
			return CounterOpResult{}, hall.Errorf(hall.EFORBIDDEN, reasonRoleForbidden, "只有工作人员可以登录窗口", "only staff can log in to a counter")
		}
		return counter(q.Login(ctx, id, p.StaffID))
	case OpLogout:
		return counter(q.Logout(ctx, id))
	case OpCall:
		return ticket(q.CallNext(ctx, id, req.Silent))
	case OpCallTicket:
		if req.TicketID == "" {
			return CounterOpResult{}, hall.Errorf(hall.EINVALID, "ticket_id", "请指定号码", "give the ticket to call (ticketId)")
		}
		return ticket(q.CallTicket(ctx, id, req.TicketID, req.Silent))
	case OpRecall:
		return ticket(q.Recall(ctx, id))
	case OpStart:
		return ticket(q.Start(ctx, id))
	case OpNoShow:
		return ticket(q.NoShow(ctx, id, req.RequeuePlaces))
	case OpTransfer:
		return ticket(q.Transfer(ctx, id, hall.TransferTarget{ServiceID: req.ServiceID, CounterID: req.CounterID}))
	case OpHold:
		return ticket(q.Hold(ctx, id, req.Reason))
	case OpResume:
		if req.TicketID == "" {
			return CounterOpResult{}, hall.Errorf(hall.EINVALID, "ticket_id", "请指定要恢复的号码", "give the ticket to resume (ticketId)")
		}
		return ticket(q.Resume(ctx, id, req.TicketID))
	case OpPause:
		return counter(q.Pause(ctx, id, req.Reason))
	case OpUnpause:
		return counter(q.Unpause(ctx, id))
	case OpFinish:
		return ticket(q.Finish(ctx, id))
	case OpVirtual:
		if req.ServiceID == "" {
			return CounterOpResult{}, hall.Errorf(hall.EINVALID, "service_id", "请选择办理事项", "choose a service (serviceId)")
		}
		return ticket(q.VirtualCall(ctx, id, req.ServiceID))
	}
	return CounterOpResult{}, hall.Errorf(hall.ENOTFOUND, reasonNoRoute, "未知窗口操作：%s", "unknown counter operation: %s", op)
}

func (s *Server) heldTickets(w http.ResponseWriter, r *http.Request, p Principal) error {
	id := r.PathValue("id")
	c, err := s.cfg.Reader.Counter(r.Context(), id)
	if err != nil {
		return err
	}
	if p.Role == RoleClerk && (c.State == hall.CounterLoggedOut || c.StaffID != p.StaffID) {
		return hall.Errorf(hall.EFORBIDDEN, reasonNotYourCounter, "您未在 %d 号窗口登录", "you are not logged in at counter %d", c.Number)
	}
	ts, err := s.cfg.Reader.HeldTickets(r.Context(), id)
	if err != nil {
		return err
	}
	return writePublic(w, ts)
}

// checkOwnCounter lets a clerk act only at the counter they are logged in to; supervisors and
// admins may act at any counter.
func (s *Server) checkOwnCounter(ctx context.Context, p Principal, counterID string) error {
	if p.Role != RoleClerk {
		return nil
	}
	c, err := s.cfg.Reader.Counter(ctx, counterID)
	if err != nil {
		return err
	}
	if c.State == hall.CounterLoggedOut || c.StaffID != p.StaffID {
		return hall.Errorf(hall.EFORBIDDEN, reasonNotYourCounter, "您未在 %d 号窗口登录", "you are not logged in at counter %d", c.Number)
	}
	return nil
}
