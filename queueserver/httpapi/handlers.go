package httpapi

import (
	"context"
	_ "embed"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"hall"
)

const pathEvents = "/api/v1/events"

// routeTable is every route with the roles allowed; anything not listed is denied (404).
func (s *Server) routeTable() []Route {
	return append([]Route{
		{"GET", "/api/v1/openapi.json", everyone, s.openAPI},

		{"POST", "/api/v1/auth/login", everyone, s.login},
		{"POST", "/api/v1/auth/logout", staff, s.logout},
		{"GET", "/api/v1/auth/me", authenticated, s.me},

		{"GET", "/api/v1/devices", admins, s.listDevices},
		{"POST", "/api/v1/devices", admins, s.enrolDevice},
		{"DELETE", "/api/v1/devices/{id}", admins, s.deleteDevice},
		{"POST", "/api/v1/devices/self/health", devices, s.reportHealth},

		{"GET", "/api/v1/hall", everyone, s.getHall},
		{"PUT", "/api/v1/hall", admins, s.putHall},
		{"GET", "/api/v1/areas", everyone, s.listAreas},
		{"PUT", "/api/v1/areas/{id}", admins, s.putArea},
		{"DELETE", "/api/v1/areas/{id}", admins, s.deleteArea},
		{"GET", "/api/v1/services", everyone, s.listServices},
		{"GET", "/api/v1/services/{id}", everyone, s.getService},
		{"GET", "/api/v1/services/{id}/slots", everyone, s.serviceSlots},
		{"PUT", "/api/v1/services/{id}", admins, s.putService},
		{"DELETE", "/api/v1/services/{id}", admins, s.deleteService},
		{"GET", "/api/v1/counters", authenticated, s.listCounters},
		{"GET", "/api/v1/counters/{id}", authenticated, s.getCounter},
		{"PUT", "/api/v1/counters/{id}", admins, s.putCounter},
		{"DELETE", "/api/v1/counters/{id}", admins, s.deleteCounter},
		{"GET", "/api/v1/counters/{id}/held", staff, s.heldTickets},
		{"POST", "/api/v1/counters/{id}/{op}", staff, s.counterOp},
		{"GET", "/api/v1/staff", managers, s.listStaff},
		{"GET", "/api/v1/staff/{id}", managers, s.getStaff},
		{"PUT", "/api/v1/staff/{id}", admins, s.putStaff},
		{"DELETE", "/api/v1/staff/{id}", admins, s.deleteStaff},

		{"POST", "/api/v1/tickets", []Role{RoleAdmin, RoleSupervisor, RoleKiosk, RolePublic}, s.issueTicket},
		{"GET", "/api/v1/tickets", staff, s.ticketByCode},
		{"GET", "/api/v1/tickets/{id}", authenticated, s.getTicket},
		{"POST", "/api/v1/tickets/{id}/cancel", []Role{RoleAdmin, RoleSupervisor, RoleKiosk}, s.cancelTicket},
		{"GET", "/api/v1/mobile/{token}", everyone, s.mobileTicket},
		{"POST", "/api/v1/mobile/{token}/cancel", everyone, s.mobileCancel},

		{"POST", "/api/v1/appointments", []Role{RoleAdmin, RoleSupervisor, RoleKiosk, RolePublic}, s.book},
		{"GET", "/api/v1/appointments/{code}", everyone, s.getAppointment},
		{"POST", "/api/v1/appointments/{code}/cancel", everyone, s.cancelAppointment},

		{"GET", pathEvents, authenticated, s.events},
	}, append(s.ratingRoutes(), s.caseRoutes()...)...)
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, p Principal) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDoc)
	return nil
}

// --- auth ---

// dummyHash is compared against when the staff number is unknown, so that a login takes as
// long for an unknown account as for a wrong password.
// It is made on first use, not at start-up.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)
	return h
})

var errBadCredentials = hall.Errorf(hall.EUNAUTHORIZED, reasonBadCredentials, "工号或密码错误", "wrong staff number or password")

func (s *Server) login(w http.ResponseWriter, r *http.Request, p Principal) error {
	var req LoginRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	st, err := s.checkPassword(r.Context(), req.StaffID, req.Password)
	if err != nil {
		return err
	}
	token, sess, err := s.cfg.Auth.CreateSession(r.Context(), st.ID, s.cfg.SessionTTL)
	if err != nil {
		return err
	}
	st.PasswordHash = ""
	writeJSON(w, http.StatusOK, LoginResponse{Token: token, ExpiresAt: sess.ExpiresAt, Staff: st})
	return nil
}

// checkPassword returns the staff member whose number and password these are, or
// errBadCredentials (after the same work whether the number exists or not).
func (s *Server) checkPassword(ctx context.Context, staffID, password string) (hall.Staff, error) {
	if staffID == "" || password == "" {
		return hall.Staff{}, hall.Errorf(hall.EINVALID, "credentials_missing", "请输入工号和密码", "enter your staff number and password")
	}
	st, err := s.cfg.Catalog.Staff(ctx, staffID)
	if hall.ErrorCode(err) == hall.ENOTFOUND {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return hall.Staff{}, errBadCredentials
	} else if err != nil {
		return hall.Staff{}, err
	}
	if st.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(st.PasswordHash), []byte(password)) != nil {
		return hall.Staff{}, errBadCredentials
	}
	return st, nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, p Principal) error {
	_, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if err := s.cfg.Auth.DeleteSession(r.Context(), strings.TrimSpace(token)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p Principal) error {
	writeJSON(w, http.StatusOK, Me{Role: p.Role, StaffID: p.StaffID, DeviceID: p.DeviceID, DeviceKind: p.Session.DeviceKind, ExpiresAt: p.Session.ExpiresAt})
	return nil
}

// HashPassword returns the stored form of a password (bcrypt). EINVALID for a password shorter
// than 6 or longer than 72 bytes (bcrypt's limit).
func HashPassword(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < 6 || len(pw) > 72 {
		return "", hall.Errorf(hall.EINVALID, "password_length", "密码长度应为 6 到 72 个字符", "a password has 6 to 72 characters")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// --- devices ---

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request, p Principal) error {
	ds, err := s.cfg.Auth.Devices(r.Context())
	if err != nil {
		return err
	}
	if ds, err = s.withHealth(r.Context(), ds); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ds))
	return nil
}

func (s *Server) enrolDevice(w http.ResponseWriter, r *http.Request, p Principal) error {
	var req DeviceRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	token, d, err := s.cfg.Auth.EnrolDevice(r.Context(), hall.Device{ID: req.ID, Name: req.Name, Kind: req.Kind, AreaID: req.AreaID, CounterID: req.CounterID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, DeviceEnrolment{Device: d, Token: token})
	return nil
}

func (s *Server) deleteDevice(w http.ResponseWriter, r *http.Request, p Principal) error {
	if err := s.cfg.Auth.DeleteDevice(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// --- catalog ---

func (s *Server) getHall(w http.ResponseWriter, r *http.Request, p Principal) error {
	h, err := s.cfg.Catalog.Hall(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) putHall(w http.ResponseWriter, r *http.Request, p Principal) error {
	var h hall.Hall
	if err := decode(w, r, &h); err != nil {
		return err
	}
	if err := s.cfg.Catalog.SetHall(r.Context(), h); err != nil {
		return err
	}
	return s.getHall(w, r, p)
}

func (s *Server) listAreas(w http.ResponseWriter, r *http.Request, p Principal) error {
	as, err := s.cfg.Catalog.Areas(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(as))
	return nil
}

// pathID fills an empty body id from the path and refuses a different one.
func pathID(r *http.Request, bodyID *string) error {
	id := r.PathValue("id")
	if *bodyID == "" {
		*bodyID = id
	}
	if *bodyID != id {
		return hall.Errorf(hall.EINVALID, "id_mismatch", "请求内容中的编号与地址不一致", "the id in the body differs from the id in the path")
	}
	return nil
}

func (s *Server) putArea(w http.ResponseWriter, r *http.Request, p Principal) error {
	var a hall.Area
	if err := decode(w, r, &a); err != nil {
		return err
	}
	if err := pathID(r, &a.ID); err != nil {
		return err
	}
	if err := s.cfg.Catalog.PutArea(r.Context(), a); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) deleteArea(w http.ResponseWriter, r *http.Request, p Principal) error {
	return noContent(w, s.cfg.Catalog.DeleteArea(r.Context(), r.PathValue("id")))
}

func (s *Server) listServices(w http.ResponseWriter, r *http.Request, p Principal) error {
	svcs, err := s.cfg.Catalog.Services(r.Context())
	if err != nil {
		return err
	}
	av, err := s.cfg.Reader.Availability(r.Context())
	if err != nil {
		return err
	}
	byID := map[string]hall.Availability{}
	for _, a := range av {
		byID[a.ServiceID] = a
	}
	out := make([]ServiceView, 0, len(svcs))
	for _, svc := range svcs {
		out = append(out, ServiceView{Service: svc, Availability: byID[svc.ID]})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getService(w http.ResponseWriter, r *http.Request, p Principal) error {
	svc, err := s.cfg.Catalog.Service(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	av, err := s.cfg.Reader.Availability(r.Context())
	if err != nil {
		return err
	}
	v := ServiceView{Service: svc}
	for _, a := range av {
		if a.ServiceID == svc.ID {
			v.Availability = a
		}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// serviceSlots lists a service's appointment slots on ?day= for the booking page.
func (s *Server) serviceSlots(w http.ResponseWriter, r *http.Request, p Principal) error {
	day := hall.Day(r.URL.Query().Get("day"))
	if day == "" {
		return hall.Errorf(hall.EINVALID, "bad_day", "请选择日期", "choose a date")
	}
	slots, err := s.cfg.Appointments.Slots(r.Context(), r.PathValue("id"), day)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(slots))
	return nil
}

func (s *Server) putService(w http.ResponseWriter, r *http.Request, p Principal) error {
	var svc hall.Service
	if err := decode(w, r, &svc); err != nil {
		return err
	}
	if err := pathID(r, &svc.ID); err != nil {
		return err
	}
	if err := s.cfg.Catalog.PutService(r.Context(), svc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, svc)
	return nil
}

func (s *Server) deleteService(w http.ResponseWriter, r *http.Request, p Principal) error {
	return noContent(w, s.cfg.Catalog.DeleteService(r.Context(), r.PathValue("id")))
}

func (s *Server) listCounters(w http.ResponseWriter, r *http.Request, p Principal) error {
	cs, err := s.cfg.Catalog.Counters(r.Context())
	if err != nil {
		return err
	}
	return writePublic(w, cs)
}

func (s *Server) getCounter(w http.ResponseWriter, r *http.Request, p Principal) error {
	c, err := s.cfg.Reader.Counter(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c.Public())
	return nil
}

func (s *Server) putCounter(w http.ResponseWriter, r *http.Request, p Principal) error {
	var c hall.Counter
	if err := decode(w, r, &c); err != nil {
		return err
	}
	if err := pathID(r, &c.ID); err != nil {
		return err
	}
	if err := s.cfg.Catalog.PutCounter(r.Context(), c); err != nil {
		return err
	}
	return s.getCounter(w, r, p)
}

func (s *Server) deleteCounter(w http.ResponseWriter, r *http.Request, p Principal) error {
	return noContent(w, s.cfg.Catalog.DeleteCounter(r.Context(), r.PathValue("id")))
}

func (s *Server) listStaff(w http.ResponseWriter, r *http.Request, p Principal) error {
	sts, err := s.cfg.Catalog.StaffList(r.Context())
	if err != nil {
		return err
	}
	for i := range sts {
		sts[i].PasswordHash = ""
	}
	writeJSON(w, http.StatusOK, nonNil(sts))
	return nil
}

func (s *Server) getStaff(w http.ResponseWriter, r *http.Request, p Principal) error {
	st, err := s.cfg.Catalog.Staff(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	st.PasswordHash = ""
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) putStaff(w http.ResponseWriter, r *http.Request, p Principal) error {
	var req StaffRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	st := hall.Staff{ID: r.PathValue("id"), Name: req.Name, Role: req.Role, Disabled: req.Disabled}
	if err := st.Validate(); err != nil {
		return err
	}
	if req.Password != "" {
		h, err := HashPassword(req.Password)
		if err != nil {
			return err
		}
		st.PasswordHash = h
	} else {
		old, err := s.cfg.Catalog.Staff(r.Context(), st.ID)
		if hall.ErrorCode(err) == hall.ENOTFOUND {
			return hall.Errorf(hall.EINVALID, "password_missing", "新建工作人员需要设置密码", "a new staff member needs a password")
		} else if err != nil {
			return err
		}
		st.PasswordHash = old.PasswordHash
	}
	if err := s.cfg.Catalog.PutStaff(r.Context(), st); err != nil {
		return err
	}
	st.PasswordHash = ""
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) deleteStaff(w http.ResponseWriter, r *http.Request, p Principal) error {
	return noContent(w, s.cfg.Catalog.DeleteStaff(r.Context(), r.PathValue("id")))
}

// --- tickets ---

// issueTicket takes a number. Public callers (the mobile page) may only use the mobile channel;
// kiosks and staff any channel but mobile and virtual. The answer is the public ticket plus its
// access token, which only the issuer ever sees.
func (s *Server) issueTicket(w http.ResponseWriter, r *http.Request, p Principal) error {
	var body IssueBody
	if err := decode(w, r, &body); err != nil {
		return err
	}
	req := body.IssueRequest
	if (p.Role == RolePublic) != (req.Channel == hall.ChannelMobile) {
		if p.Role == RolePublic {
			return hall.Errorf(hall.EFORBIDDEN, "channel_forbidden", "手机取号只能使用手机渠道", "the mobile page can only take mobile tickets")
		}
		return hall.Errorf(hall.EFORBIDDEN, "channel_forbidden", "该渠道只能由手机页面取号", "mobile tickets are taken on the mobile page only")
	}
	if err := s.approvePriority(r.Context(), p, &req, body.Approver); err != nil {
		return err
	}
	ctx, err := withIdempotency(r, p)
	if err != nil {
		return err
	}
	t, err := s.cfg.Queue.IssueTicket(ctx, req)
	if err != nil {
		return err
	}
	pub := t.Public()
	pub.AccessToken = t.AccessToken
	writeJSON(w, http.StatusCreated, pub)
	return nil
}

// publicStatus strips a status down to what anyone holding the ticket may see.
func publicStatus(st hall.TicketStatus) hall.TicketStatus {
	st.Ticket = st.Ticket.Public()
	return st
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request, p Principal) error {
	st, err := s.cfg.Reader.TicketStatus(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, publicStatus(st))
	return nil
}

func (s *Server) ticketByCode(w http.ResponseWriter, r *http.Request, p Principal) error {
	q := r.URL.Query()
	code, day := q.Get("code"), hall.Day(q.Get("day"))
	if code == "" {
		return hall.Errorf(hall.EINVALID, "code_missing", "请提供号码", "give a ticket code (?code=A012)")
	}
	if day == "" {
		h, err := s.cfg.Catalog.Hall(r.Context())
		if err != nil {
			return err
		}
		loc, err := h.Location()
		if err != nil {
			return err
		}
		day = hall.DayOf(s.cfg.Now(), loc)
	}
	t, err := s.cfg.Reader.TicketByCode(r.Context(), day, code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t.Public())
	return nil
}

func (s *Server) cancelTicket(w http.ResponseWriter, r *http.Request, p Principal) error {
	ctx, err := withIdempotency(r, p)
	if err != nil {
		return err
	}
	t, err := s.cfg.Queue.CancelTicket(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t.Public())
	return nil
}

// mobileTicket is the mobile page's read: the token in the link is the only key.
func (s *Server) mobileTicket(w http.ResponseWriter, r *http.Request, p Principal) error {
	t, err := s.cfg.Reader.TicketByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	st, err := s.cfg.Reader.TicketStatus(r.Context(), t.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, publicStatus(st))
	return nil
}

func (s *Server) mobileCancel(w http.ResponseWriter, r *http.Request, p Principal) error {
	t, err := s.cfg.Reader.TicketByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	ctx, err := withIdempotency(r, p)
	if err != nil {
		return err
	}
	t, err = s.cfg.Queue.CancelTicket(ctx, t.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t.Public())
	return nil
}

// --- appointments ---

func (s *Server) book(w http.ResponseWriter, r *http.Request, p Principal) error {
	var req hall.BookingRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ctx, err := withIdempotency(r, p)
	if err != nil {
		return err
	}
	a, err := s.cfg.Appointments.Book(ctx, req)
	if err != nil {
		return err
	}
	pub := a.Public()
	pub.Code, pub.ShortCode = a.Code, a.ShortCode // the booker's QR code and kiosk code; shown once
	writeJSON(w, http.StatusCreated, pub)
	return nil
}

func (s *Server) getAppointment(w http.ResponseWriter, r *http.Request, p Principal) error {
	a, err := s.cfg.Appointments.AppointmentByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.Public())
	return nil
}

func (s *Server) cancelAppointment(w http.ResponseWriter, r *http.Request, p Principal) error {
	ctx, err := withIdempotency(r, p)
	if err != nil {
		return err
	}
	a, err := s.cfg.Appointments.CancelAppointment(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.Public())
	return nil
}

// --- helpers ---

func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// nonNil makes an empty list encode as [] rather than null.
// writePublic answers 200 with the public copy of every item, an empty list as [].
func writePublic[T interface{ Public() T }](w http.ResponseWriter, items []T) error {
	writeJSON(w, http.StatusOK, publicCopies(items))
	return nil
}

// publicCopies replaces every item by its public copy (never nil).
func publicCopies[T interface{ Public() T }](items []T) []T {
	for i := range items {
		items[i] = items[i].Public()
	}
	return nonNil(items)
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
