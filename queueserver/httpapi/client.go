package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hall"
)

// Client is the Go client of the API, used by the kiosk and counter apps and by hallload. It is
// safe for concurrent use. Every error it returns for a refused request is a *hall.Error with
// the server's code and reason; transport faults are EUNAVAILABLE.
type Client struct {
	base  string
	http  *http.Client
	token string
	// English asks for English messages (Accept-Language: en).
	english bool
	// retries is how often a request is retried after a transport fault (same idempotency key).
	retries int
}

// NewClient returns a client of the server at baseURL ("http://hall.local:8080"). httpClient may
// be nil (a client with a 30 s timeout is used).
func NewClient(baseURL string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), http: httpClient, retries: 2}
}

// WithToken returns a copy of c that sends token as its bearer token (a staff session from Login
// or a device token from EnrolDevice).
func (c *Client) WithToken(token string) *Client {
	cc := *c
	cc.token = token
	return &cc
}

// WithEnglish returns a copy of c that asks for English messages.
func (c *Client) WithEnglish() *Client {
	cc := *c
	cc.english = true
	return &cc
}

// Token returns the bearer token the client sends ("" for none).
func (c *Client) Token() string { return c.token }

// BaseURL returns the server address the client was made with (no trailing slash).
func (c *Client) BaseURL() string { return c.base }

// NewIdempotencyKey returns a random key for hall.WithIdempotencyKey.
func NewIdempotencyKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// do sends one request and decodes the answer into out (when not nil). Mutating requests carry
// an Idempotency-Key — the one in ctx (hall.WithIdempotencyKey) or a fresh one — so that the
// retries after a transport fault, which reuse it, cannot act twice.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("httpapi: encode request: %w", err)
		}
	}
	key := ""
	if method != http.MethodGet {
		if key = hall.IdempotencyKey(ctx); key == "" {
			key = NewIdempotencyKey()
		}
	}
	var lastErr error
	for attempt := 0; attempt <= c.retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("httpapi: %w", err)
		}
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		c.header(req.Header)
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			lastErr = err
			continue
		}
		err = readResponse(resp, out)
		resp.Body.Close()
		return err
	}
	return &hall.Error{Code: hall.EUNAVAILABLE, Reason: "server_unreachable",
		Message: "无法连接服务器，请检查网络", English: "cannot reach the server: " + lastErr.Error()}
}

func (c *Client) header(h http.Header) {
	if c.token != "" {
		h.Set("Authorization", "Bearer "+c.token)
	}
	if c.english {
		h.Set("Accept-Language", "en")
	} else {
		h.Set("Accept-Language", "zh-CN")
	}
}

// readResponse decodes a success into out, or turns an error status back into a *hall.Error.
func readResponse(resp *http.Response, out any) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return &hall.Error{Code: hall.EUNAVAILABLE, Reason: "server_unreachable", Message: "读取服务器响应失败", English: "reading the answer failed: " + err.Error()}
	}
	if resp.StatusCode >= 300 {
		var eb ErrorBody
		if json.Unmarshal(b, &eb) != nil || eb.Code == "" {
			eb = ErrorBody{Code: CodeOf(resp.StatusCode), Reason: "http_" + strconv.Itoa(resp.StatusCode), Message: http.StatusText(resp.StatusCode)}
		}
		return &hall.Error{Code: eb.Code, Reason: eb.Reason, Message: eb.Message, English: eb.Message}
	}
	if out == nil || len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("httpapi: decode %T: %w", out, err)
	}
	return nil
}

func esc(s string) string { return url.PathEscape(s) }

// Login starts a staff session; use the token with WithToken. EUNAUTHORIZED for a wrong staff
// number or password; EFORBIDDEN for a disabled account; ETOOMANY when rate limited.
func (c *Client) Login(ctx context.Context, staffID, password string) (LoginResponse, error) {
	var out LoginResponse
	err := c.do(ctx, "POST", "/api/v1/auth/login", LoginRequest{StaffID: staffID, Password: password}, &out)
	return out, err
}

// Logout ends the client's staff session.
func (c *Client) Logout(ctx context.Context) error {
	return c.do(ctx, "POST", "/api/v1/auth/logout", nil, nil)
}

// Me describes the caller. EUNAUTHORIZED without a valid token.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var out Me
	return out, c.do(ctx, "GET", "/api/v1/auth/me", nil, &out)
}

// Devices lists enrolled devices (admin).
func (c *Client) Devices(ctx context.Context) ([]hall.Device, error) {
	var out []hall.Device
	return out, c.do(ctx, "GET", "/api/v1/devices", nil, &out)
}

// EnrolDevice enrols (or re-enrols) a device and returns its token (admin). EINVALID for a bad device.
func (c *Client) EnrolDevice(ctx context.Context, d DeviceRequest) (DeviceEnrolment, error) {
	var out DeviceEnrolment
	return out, c.do(ctx, "POST", "/api/v1/devices", d, &out)
}

// DeleteDevice removes a device and revokes its token (admin). ENOTFOUND if absent.
func (c *Client) DeleteDevice(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/devices/"+esc(id), nil, nil)
}

// Hall returns the hall configuration.
func (c *Client) Hall(ctx context.Context) (hall.Hall, error) {
	var out hall.Hall
	return out, c.do(ctx, "GET", "/api/v1/hall", nil, &out)
}

// SetHall replaces the hall configuration (admin). EINVALID if it does not validate.
func (c *Client) SetHall(ctx context.Context, h hall.Hall) (hall.Hall, error) {
	var out hall.Hall
	return out, c.do(ctx, "PUT", "/api/v1/hall", h, &out)
}

// Areas lists the areas.
func (c *Client) Areas(ctx context.Context) ([]hall.Area, error) {
	var out []hall.Area
	return out, c.do(ctx, "GET", "/api/v1/areas", nil, &out)
}

// PutArea creates or updates an area (admin). EINVALID if it does not validate.
func (c *Client) PutArea(ctx context.Context, a hall.Area) error {
	return c.do(ctx, "PUT", "/api/v1/areas/"+esc(a.ID), a, nil)
}

// DeleteArea removes an area (admin). ENOTFOUND if absent; ECONFLICT while in use.
func (c *Client) DeleteArea(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/areas/"+esc(id), nil, nil)
}

// Services lists the services with their live availability.
func (c *Client) Services(ctx context.Context) ([]ServiceView, error) {
	var out []ServiceView
	return out, c.do(ctx, "GET", "/api/v1/services", nil, &out)
}

// Service returns one service with its availability. ENOTFOUND if unknown.
func (c *Client) Service(ctx context.Context, id string) (ServiceView, error) {
	var out ServiceView
	return out, c.do(ctx, "GET", "/api/v1/services/"+esc(id), nil, &out)
}

// Slots lists a service's appointment slots on day with their remaining places. ENOTFOUND for an
// unknown service; EINVALID for a malformed day.
func (c *Client) Slots(ctx context.Context, serviceID string, day hall.Day) ([]hall.SlotAvailability, error) {
	var out []hall.SlotAvailability
	return out, c.do(ctx, "GET", "/api/v1/services/"+esc(serviceID)+"/slots?day="+url.QueryEscape(string(day)), nil, &out)
}

// PutService creates or updates a service (admin). EINVALID or ECONFLICT (prefix overlap).
func (c *Client) PutService(ctx context.Context, s hall.Service) error {
	return c.do(ctx, "PUT", "/api/v1/services/"+esc(s.ID), s, nil)
}

// DeleteService removes a service (admin). ENOTFOUND if absent; ECONFLICT while in use.
func (c *Client) DeleteService(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/services/"+esc(id), nil, nil)
}

// Counters lists the counters with their live state.
func (c *Client) Counters(ctx context.Context) ([]hall.Counter, error) {
	var out []hall.Counter
	return out, c.do(ctx, "GET", "/api/v1/counters", nil, &out)
}

// Counter returns one counter. ENOTFOUND if unknown.
func (c *Client) Counter(ctx context.Context, id string) (hall.Counter, error) {
	var out hall.Counter
	return out, c.do(ctx, "GET", "/api/v1/counters/"+esc(id), nil, &out)
}

// PutCounter creates or reconfigures a counter (admin). EINVALID or ECONFLICT (number taken).
func (c *Client) PutCounter(ctx context.Context, k hall.Counter) (hall.Counter, error) {
	var out hall.Counter
	return out, c.do(ctx, "PUT", "/api/v1/counters/"+esc(k.ID), k, &out)
}

// DeleteCounter removes a counter (admin). ENOTFOUND if absent; ECONFLICT while logged in.
func (c *Client) DeleteCounter(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/counters/"+esc(id), nil, nil)
}

// HeldTickets lists the tickets a counter holds. EFORBIDDEN for a clerk of another counter.
func (c *Client) HeldTickets(ctx context.Context, counterID string) ([]hall.Ticket, error) {
	var out []hall.Ticket
	return out, c.do(ctx, "GET", "/api/v1/counters/"+esc(counterID)+"/held", nil, &out)
}

// CounterOp runs one counter operation (OpCall, OpFinish, …). EFORBIDDEN when a clerk acts on a
// counter they are not logged in to; otherwise the domain operation's errors.
func (c *Client) CounterOp(ctx context.Context, counterID, op string, req CounterOpRequest) (CounterOpResult, error) {
	var out CounterOpResult
	return out, c.do(ctx, "POST", "/api/v1/counters/"+esc(counterID)+"/"+esc(op), req, &out)
}

func (c *Client) ticketOp(ctx context.Context, counterID, op string, req CounterOpRequest) (hall.Ticket, error) {
	res, err := c.CounterOp(ctx, counterID, op, req)
	if err != nil {
		return hall.Ticket{}, err
	}
	if res.Ticket == nil {
		return hall.Ticket{}, fmt.Errorf("httpapi: %s answered without a ticket", op)
	}
	return *res.Ticket, nil
}

func (c *Client) counterOp(ctx context.Context, counterID, op string, req CounterOpRequest) (hall.Counter, error) {
	res, err := c.CounterOp(ctx, counterID, op, req)
	if err != nil {
		return hall.Counter{}, err
	}
	if res.Counter == nil {
		return hall.Counter{}, fmt.Errorf("httpapi: %s answered without a counter", op)
	}
	return *res.Counter, nil
}

// CounterLogin puts the client's staff member on a counter. ECONFLICT if it is taken.
func (c *Client) CounterLogin(ctx context.Context, counterID string) (hall.Counter, error) {
	return c.counterOp(ctx, counterID, OpLogin, CounterOpRequest{})
}

// CounterLogout ends the counter's session. ECONFLICT while it has a ticket.
func (c *Client) CounterLogout(ctx context.Context, counterID string) (hall.Counter, error) {
	return c.counterOp(ctx, counterID, OpLogout, CounterOpRequest{})
}

// CallNext calls the next ticket. ENOTFOUND/queue_empty when nobody waits; ECONFLICT when the
// counter cannot call.
func (c *Client) CallNext(ctx context.Context, counterID string, silent bool) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpCall, CounterOpRequest{Silent: silent})
}

// CallTicket calls one chosen waiting ticket (指定叫号).
func (c *Client) CallTicket(ctx context.Context, counterID, ticketID string, silent bool) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpCallTicket, CounterOpRequest{TicketID: ticketID, Silent: silent})
}

// Recall announces the called ticket again. ECONFLICT unless a ticket is called.
func (c *Client) Recall(ctx context.Context, counterID string) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpRecall, CounterOpRequest{})
}

// Start marks that the called visitor arrived. ECONFLICT unless a ticket is called.
func (c *Client) Start(ctx context.Context, counterID string) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpStart, CounterOpRequest{})
}

// NoShow marks the called ticket missed, or puts it back requeuePlaces places.
func (c *Client) NoShow(ctx context.Context, counterID string, requeuePlaces int) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpNoShow, CounterOpRequest{RequeuePlaces: requeuePlaces})
}

// Transfer sends the counter's ticket elsewhere and returns the continuing ticket.
func (c *Client) Transfer(ctx context.Context, counterID string, to hall.TransferTarget) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpTransfer, CounterOpRequest{ServiceID: to.ServiceID, CounterID: to.CounterID})
}

// Hold puts the counter's ticket aside.
func (c *Client) Hold(ctx context.Context, counterID, reason string) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpHold, CounterOpRequest{Reason: reason})
}

// Resume brings a held ticket back.
func (c *Client) Resume(ctx context.Context, counterID, ticketID string) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpResume, CounterOpRequest{TicketID: ticketID})
}

// Pause stops the counter with a reason. EINVALID without one; ECONFLICT unless idle.
func (c *Client) Pause(ctx context.Context, counterID, reason string) (hall.Counter, error) {
	return c.counterOp(ctx, counterID, OpPause, CounterOpRequest{Reason: reason})
}

// Unpause resumes calling. ECONFLICT unless paused.
func (c *Client) Unpause(ctx context.Context, counterID string) (hall.Counter, error) {
	return c.counterOp(ctx, counterID, OpUnpause, CounterOpRequest{})
}

// Finish closes the counter's ticket as done. ECONFLICT unless a ticket is called or served.
func (c *Client) Finish(ctx context.Context, counterID string) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpFinish, CounterOpRequest{})
}

// VirtualCall serves a visitor without a ticket.
func (c *Client) VirtualCall(ctx context.Context, counterID, serviceID string) (hall.Ticket, error) {
	return c.ticketOp(ctx, counterID, OpVirtual, CounterOpRequest{ServiceID: serviceID})
}

// StaffList lists staff members, without password hashes (admin, supervisor).
func (c *Client) StaffList(ctx context.Context) ([]hall.Staff, error) {
	var out []hall.Staff
	return out, c.do(ctx, "GET", "/api/v1/staff", nil, &out)
}

// Staff returns one staff member. ENOTFOUND if unknown.
func (c *Client) Staff(ctx context.Context, id string) (hall.Staff, error) {
	var out hall.Staff
	return out, c.do(ctx, "GET", "/api/v1/staff/"+esc(id), nil, &out)
}

// PutStaff creates or updates a staff member (admin). EINVALID for a bad record or password.
func (c *Client) PutStaff(ctx context.Context, id string, r StaffRequest) (hall.Staff, error) {
	var out hall.Staff
	return out, c.do(ctx, "PUT", "/api/v1/staff/"+esc(id), r, &out)
}

// DeleteStaff removes a staff member (admin). ECONFLICT while logged in at a counter.
func (c *Client) DeleteStaff(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/staff/"+esc(id), nil, nil)
}

// IssueTicket takes a number and returns the public ticket with its access token (the mobile
// page's link). EUNAVAILABLE when the service cannot be taken now (the reason says why).
func (c *Client) IssueTicket(ctx context.Context, r hall.IssueRequest) (hall.Ticket, error) {
	return c.IssueApprovedTicket(ctx, r, nil)
}

// IssueApprovedTicket takes a ticket whose priority class a staff member confirms (a may be nil
// for any other ticket).
func (c *Client) IssueApprovedTicket(ctx context.Context, r hall.IssueRequest, a *Approver) (hall.Ticket, error) {
	var out hall.Ticket
	return out, c.do(ctx, "POST", "/api/v1/tickets", IssueBody{IssueRequest: r, Approver: a}, &out)
}

// Ticket returns a ticket's public status: state, place in line, estimated wait.
func (c *Client) Ticket(ctx context.Context, id string) (hall.TicketStatus, error) {
	var out hall.TicketStatus
	return out, c.do(ctx, "GET", "/api/v1/tickets/"+esc(id), nil, &out)
}

// TicketByCode finds the newest ticket with a code on a day ("" for today).
func (c *Client) TicketByCode(ctx context.Context, code string, day hall.Day) (hall.Ticket, error) {
	q := url.Values{"code": {code}}
	if day != "" {
		q.Set("day", string(day))
	}
	var out hall.Ticket
	return out, c.do(ctx, "GET", "/api/v1/tickets?"+q.Encode(), nil, &out)
}

// CancelTicket withdraws a waiting ticket. ECONFLICT unless it waits.
func (c *Client) CancelTicket(ctx context.Context, id string) (hall.Ticket, error) {
	var out hall.Ticket
	return out, c.do(ctx, "POST", "/api/v1/tickets/"+esc(id)+"/cancel", nil, &out)
}

// MobileTicket is the mobile page's read by access token. ENOTFOUND for a bad link.
func (c *Client) MobileTicket(ctx context.Context, token string) (hall.TicketStatus, error) {
	var out hall.TicketStatus
	return out, c.do(ctx, "GET", "/api/v1/mobile/"+esc(token), nil, &out)
}

// MobileCancel withdraws the waiting ticket of an access token.
func (c *Client) MobileCancel(ctx context.Context, token string) (hall.Ticket, error) {
	var out hall.Ticket
	return out, c.do(ctx, "POST", "/api/v1/mobile/"+esc(token)+"/cancel", nil, &out)
}

// Book reserves an appointment slot and returns the booking with its check-in code.
// EUNAVAILABLE when the slot is full or over.
func (c *Client) Book(ctx context.Context, r hall.BookingRequest) (hall.Appointment, error) {
	var out hall.Appointment
	return out, c.do(ctx, "POST", "/api/v1/appointments", r, &out)
}

// Appointment returns a booking (public copy) by its code. ENOTFOUND for an unknown code.
func (c *Client) Appointment(ctx context.Context, code string) (hall.Appointment, error) {
	var out hall.Appointment
	return out, c.do(ctx, "GET", "/api/v1/appointments/"+esc(code), nil, &out)
}

// CancelAppointment withdraws a booking by its code. ECONFLICT once checked in or cancelled.
func (c *Client) CancelAppointment(ctx context.Context, code string) (hall.Appointment, error) {
	var out hall.Appointment
	return out, c.do(ctx, "POST", "/api/v1/appointments/"+esc(code)+"/cancel", nil, &out)
}

// IsCode reports whether err is a *hall.Error with code.
func IsCode(err error, code string) bool {
	var he *hall.Error
	return errors.As(err, &he) && he.Code == code
}

// OpenCase opens a case (办件) at a counter from the ticket being served (clerk of that counter,
// or a manager). Honours hall.WithIdempotencyKey. Errors as hall.Cases.OpenCase.
func (c *Client) OpenCase(ctx context.Context, r hall.OpenCaseRequest) (hall.Case, error) {
	var out hall.Case
	return out, c.do(ctx, "POST", "/api/v1/cases", r, &out)
}

// StepCase moves a case to its next node at counterID: process, suspend (note is the reason),
// resume, complete, withdraw (note is the reason).
func (c *Client) StepCase(ctx context.Context, caseID string, step hall.CaseStep, counterID, note string) (hall.Case, error) {
	var out hall.Case
	return out, c.do(ctx, "POST", "/api/v1/cases/"+esc(caseID)+"/"+esc(string(step)), CaseStepRequest{CounterID: counterID, Note: note}, &out)
}

// Case returns a case (masked applicant). ENOTFOUND.
func (c *Client) Case(ctx context.Context, caseID string) (hall.Case, error) {
	var out hall.Case
	return out, c.do(ctx, "GET", "/api/v1/cases/"+esc(caseID), nil, &out)
}

// Cases lists the cases of day ("" for today).
func (c *Client) Cases(ctx context.Context, day hall.Day) ([]hall.Case, error) {
	var out []hall.Case
	q := ""
	if day != "" {
		q = "?day=" + url.QueryEscape(string(day))
	}
	return out, c.do(ctx, "GET", "/api/v1/cases"+q, nil, &out)
}

// LicencesFor lists the licences of the person whose ID number the kiosk read (kiosk).
func (c *Client) LicencesFor(ctx context.Context, idNumber string) ([]hall.Licence, error) {
	var out []hall.Licence
	return out, c.do(ctx, "POST", "/api/v1/licences/lookup", LicenceLookup{IDNumber: idNumber}, &out)
}

// ReserveLicence reserves a licence for printing at this kiosk and returns it with the
// platform's PDF, if any. ECONFLICT/licence_handed_over when already collected (已领取),
// ECONFLICT/licence_printing while another kiosk prints it.
func (c *Client) ReserveLicence(ctx context.Context, licenceID, idNumber string) (LicencePrint, error) {
	var out LicencePrint
	return out, c.do(ctx, "POST", "/api/v1/licences/"+esc(licenceID)+"/reserve", LicenceLookup{IDNumber: idNumber}, &out)
}

// HandOverLicence records that this kiosk printed its reserved licence (once).
func (c *Client) HandOverLicence(ctx context.Context, licenceID string) (hall.Licence, error) {
	var out hall.Licence
	return out, c.do(ctx, "POST", "/api/v1/licences/"+esc(licenceID)+"/handover", nil, &out)
}

// ReleaseLicence gives a reservation back after a failed print.
func (c *Client) ReleaseLicence(ctx context.Context, licenceID, reason string) (hall.Licence, error) {
	var out hall.Licence
	return out, c.do(ctx, "POST", "/api/v1/licences/"+esc(licenceID)+"/release", LicenceRelease{Reason: reason}, &out)
}

// VerifyLicence looks up the licence a print's QR code names (public).
func (c *Client) VerifyLicence(ctx context.Context, code string) (hall.Licence, error) {
	var out hall.Licence
	return out, c.do(ctx, "GET", "/api/v1/licences/verify/"+esc(code), nil, &out)
}

// SyncStatus reports the outboxes to the platform: backlog, last error (managers).
func (c *Client) SyncStatus(ctx context.Context) ([]hall.OutboxStatus, error) {
	var out []hall.OutboxStatus
	return out, c.do(ctx, "GET", "/api/v1/backend/status", nil, &out)
}
