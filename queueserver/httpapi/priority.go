package httpapi

import (
	"context"

	"hall"
)

// IssueBody is the body of POST /api/v1/tickets: the request and, for a priority class chosen
// by staff at a kiosk, the staff member who confirms it.
type IssueBody struct {
	hall.IssueRequest
	Approver *Approver `json:"approver,omitempty"`
}

// Approver is a staff member confirming a priority (绿色通道) class at a kiosk with their staff
// number and password. The password is checked and forgotten; the ticket records the number.
type Approver struct {
	StaffID  string `json:"staffId"`
	Password string `json:"password"`
}

// approvePriority makes sure a staff-chosen priority class comes from staff: a supervisor or
// admin issuing it themselves, or a kiosk passing the password of a staff member who confirmed
// it. The age rule needs no one (the server reads the age from the ID number). On success
// req.ApprovedBy names the staff member.
func (s *Server) approvePriority(ctx context.Context, p Principal, req *hall.IssueRequest, a *Approver) error {
	req.ApprovedBy = ""
	if req.Priority == hall.PriorityNone {
		if a != nil {
			return hall.Errorf(hall.EINVALID, "approver_unneeded", "只有工作人员选择的绿色通道类别需要确认", "only a priority class chosen by staff takes an approver")
		}
		return nil
	}
	if a == nil {
		if p.StaffID != "" { // a supervisor or admin at their own desk
			req.ApprovedBy = p.StaffID
			return nil
		}
		return hall.Errorf(hall.EFORBIDDEN, "priority_needs_staff", "绿色通道类别须由工作人员输入工号和密码确认", "a priority class must be confirmed by a staff member's number and password")
	}
	st, err := s.checkPassword(ctx, a.StaffID, a.Password)
	if err != nil {
		if hall.ErrorCode(err) == hall.EUNAUTHORIZED {
			// Not the caller's own credentials: a refusal, not a reason to log the kiosk out.
			return hall.Errorf(hall.EFORBIDDEN, "approver_invalid", "工号或密码错误，绿色通道未确认", "wrong staff number or password: the priority class is not confirmed")
		}
		return err
	}
	switch st.Role {
	case hall.RoleClerk, hall.RoleSupervisor, hall.RoleAdmin:
	default:
		return hall.Errorf(hall.EFORBIDDEN, "approver_role", "该工号无权确认绿色通道", "this staff member may not confirm priority classes")
	}
	req.ApprovedBy = st.ID
	return nil
}
