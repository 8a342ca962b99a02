package bolt

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var (
	_ hall.Queue       = (*Store)(nil)
	_ hall.QueueReader = (*Store)(nil)
)

// load reads one record of a bucket or returns ENOTFOUND with reason and the thing's name.
func load[T any](w *wtx, bucket []byte, id, reason, zh, en string) (*T, error) {
	var v T
	ok, err := w.get(bucket, []byte(id), &v)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound(reason, zh, en, id)
	}
	return &v, nil
}

// loadTicket reads a ticket or returns ENOTFOUND.
func (w *wtx) loadTicket(id string) (*hall.Ticket, error) {
	return load[hall.Ticket](w, bucketTickets, id, "ticket_not_found", "号码", "ticket")
}

// loadCounter reads a counter or returns ENOTFOUND.
func (w *wtx) loadCounter(id string) (*hall.Counter, error) {
	return load[hall.Counter](w, bucketCounters, id, "counter_not_found", "窗口", "counter")
}

// loadService reads a service or returns ENOTFOUND.
func (w *wtx) loadService(id string) (*hall.Service, error) {
	return load[hall.Service](w, bucketServices, id, "service_not_found", "事项", "service")
}

func (w *wtx) saveTicket(t *hall.Ticket) error {
	b := w.bucket(bucketTickets)
	b.FillPercent = 0.9 // ids grow; most writes append
	return w.put(bucketTickets, []byte(t.ID), t)
}

// newTicketID takes the next ticket id of the day.
func (w *wtx) newTicketID() (string, error) {
	w.wrote = true
	n, err := w.bucket(bucketTickets).NextSequence()
	if err != nil {
		return "", internal("ticket sequence", err)
	}
	return dayID(w.today(), n), nil
}

// personKey is the key of the one-live-ticket-per-person-and-service index.
func personKey(serviceID, idHash string) []byte { return joinKey(serviceID, idHash) }

// forgetPerson drops t from the person index when t is the live ticket recorded there.
func (w *wtx) forgetPerson(t *hall.Ticket) error {
	if t.Person == nil || t.Person.IDHash == "" {
		return nil
	}
	k := personKey(t.ServiceID, t.Person.IDHash)
	if string(w.bucket(bucketPersons).Get(k)) != t.ID {
		return nil
	}
	return w.del(bucketPersons, k)
}

// IssueTicket takes a number (取号). EINVALID for a malformed request or ID number; ENOTFOUND for
// an unknown service or booking; EUNAVAILABLE when no counter serves the service, it is outside
// its hours or its numbers are used up; ECONFLICT when the person already holds a live ticket for
// the service or the booking cannot check in now.
func (s *Store) IssueTicket(ctx context.Context, r hall.IssueRequest) (hall.Ticket, error) {
	var out hall.Ticket
	err := s.updateOut(withOp(ctx, "issue"), &out, func(w *wtx) error {
		id, err := r.Validate(w.now, w.loc())
		if err != nil {
			return err
		}
		var appt *hall.Appointment
		if r.Channel == hall.ChannelAppointment {
			if appt, err = w.findBooking(r, id); err != nil {
				return err
			}
			r.ServiceID = appt.ServiceID
		}
		svc, err := w.loadService(r.ServiceID)
		if err != nil {
			return err
		}
		dayKey := joinKey(string(w.today()), svc.ID)
		var day hall.ServiceDay
		if _, err := w.get(bucketSvcDay, dayKey, &day); err != nil {
			return err
		}
		if err := hall.CheckIssue(*svc, day, int(openCount(w.tx, svc.ID)), w.now, w.loc()); err != nil {
			return err
		}
		var person *hall.Person
		if id != nil {
			person = &hall.Person{Name: strings.TrimSpace(r.Name), MaskedID: id.Masked(), IDHash: w.s.idHash(id.Number)}
			if !w.hall().AllowSeveralWaiting && !svc.AllowSeveralWaiting {
				if prev := w.bucket(bucketPersons).Get(personKey(svc.ID, person.IDHash)); prev != nil {
					if pt, err := w.loadTicket(string(prev)); err == nil && pt.State.Live() {
						return hall.AlreadyWaiting(pt.Code)
					}
				}
			}
		} else if name := strings.TrimSpace(r.Name); name != "" {
			person = &hall.Person{Name: name}
		}
		var slotStart time.Time
		if appt != nil {
			if slotStart, err = appt.CheckIn(w.now, w.loc()); err != nil {
				return err
			}
			if person == nil {
				person = appt.Person
			}
		}
		priority := hall.PriorityFor(w.hall(), r, id, w.now, w.loc())
		if r.Channel == hall.ChannelPriority && priority == hall.PriorityNone {
			return hall.Errorf(hall.EINVALID, "not_priority", "未满 %d 周岁，不符合绿色通道条件，请选择优先类别", "under %d: not eligible for the priority lane unless a class is chosen", w.hall().PriorityAge)
		}
		number, _ := day.NextNumber(*svc) // CheckIssue made sure it exists
		phone := ""
		if r.Phone != "" {
			phone, _ = hall.ValidatePhone(r.Phone)
		} else if appt != nil {
			phone = appt.Phone
		}
		// All checks passed: from here on the step writes.
		tid, err := w.newTicketID()
		if err != nil {
			return err
		}
		t := hall.Ticket{
			ID: tid, Day: w.today(), ServiceID: svc.ID, AreaID: svc.AreaID, Number: number, Code: svc.Code(number),
			Channel: r.Channel, Person: person, Phone: phone, Priority: priority, ApprovedBy: r.ApprovedBy,
			ArrivedAt: w.now, QueueKey: w.now.UnixNano(), AccessToken: newTicketToken(tid),
		}
		if appt != nil {
			t.AppointmentID = appt.ID
			if !slotStart.IsZero() {
				end, _ := appt.End.On(appt.Day, w.loc())
				t.AppointmentFrom, t.AppointmentUntil = slotStart, end
			}
		}
		t.Issued(w.now)
		day.Issued++
		day.LastNumber = number
		if err := w.put(bucketSvcDay, dayKey, day); err != nil {
			return err
		}
		if err := w.saveTicket(&t); err != nil {
			return err
		}
		if err := w.putRaw(bucketTokens, []byte(t.AccessToken), []byte(t.ID)); err != nil {
			return err
		}
		if err := w.putRaw(bucketCodes, joinKey(string(t.Day), t.Code), []byte(t.ID)); err != nil {
			return err
		}
		if person != nil && person.IDHash != "" {
			if err := w.putRaw(bucketPersons, personKey(svc.ID, person.IDHash), []byte(t.ID)); err != nil {
				return err
			}
		}
		if err := w.enqueue(&t); err != nil {
			return err
		}
		if appt != nil {
			appt.TicketID = t.ID
			if err := w.put(bucketAppts, []byte(appt.ID), appt); err != nil {
				return err
			}
			pub := appt.Public()
			if err := w.emit(hall.Event{Type: hall.EventAppointmentIn, ServiceID: svc.ID, AreaID: svc.AreaID, Appointment: &pub}); err != nil {
				return err
			}
		}
		out = t
		return w.emit(hall.TicketEvent(hall.EventTicketIssued, t, nil, w.now, string(t.Channel)))
	})
	return out, err
}

// counterStep loads counter id, runs fn on it and stores the counter afterwards. op names the
// operation and out receives its result (for idempotent retries).
func (s *Store) counterStep(ctx context.Context, id, op string, out any, fn func(w *wtx, c *hall.Counter) error) error {
	return s.updateOut(withOp(ctx, op+":"+id), out, func(w *wtx) error {
		c, err := w.loadCounter(id)
		if err != nil {
			return err
		}
		before := *c
		if err := fn(w, c); err != nil {
			return err
		}
		return w.putCounter(&before, *c)
	})
}

// currentTicket returns the counter's called or served ticket.
func (w *wtx) currentTicket(c *hall.Counter) (*hall.Ticket, error) {
	id, err := c.Current()
	if err != nil {
		return nil, err
	}
	return w.loadTicket(id)
}

// Login puts a staff member on a counter. ENOTFOUND for an unknown counter or staff number;
// EFORBIDDEN for a disabled account; ECONFLICT if the counter is taken or the staff member is
// logged in at another counter.
func (s *Store) Login(ctx context.Context, counterID, staffID string) (hall.Counter, error) {
	var out hall.Counter
	err := s.counterStep(ctx, counterID, "login", &out, func(w *wtx, c *hall.Counter) error {
		var st hall.Staff
		ok, err := w.get(bucketStaff, []byte(staffID), &st)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("staff_not_found", "工作人员", "staff member", staffID)
		}
		if st.Disabled {
			return hall.Errorf(hall.EFORBIDDEN, "staff_disabled", "账号 %s 已停用", "account %s is disabled", staffID)
		}
		var elsewhere string
		forEach(w.tx, bucketCounters, func(o hall.Counter) {
			if o.ID != c.ID && o.StaffID == staffID && o.State != hall.CounterLoggedOut {
				elsewhere = strconv.Itoa(o.Number)
			}
		})
		if elsewhere != "" {
			return hall.Errorf(hall.ECONFLICT, "staff_elsewhere", "工作人员 %s 已在 %s 号窗口登录", "staff member %s is logged in at counter %s", staffID, elsewhere)
		}
		already := c.State != hall.CounterLoggedOut
		if err := c.Login(staffID, w.now); err != nil {
			return err
		}
		out = *c
		if already {
			return nil
		}
		return w.emit(hall.CounterEvent(hall.EventCounterLogin, *c, w.today(), w.now, ""))
	})
	return out, err
}

// Logout ends the counter's session. ENOTFOUND for an unknown counter; ECONFLICT if it is not
// logged in or still has a ticket.
func (s *Store) Logout(ctx context.Context, counterID string) (hall.Counter, error) {
	var out hall.Counter
	err := s.counterStep(ctx, counterID, "logout", &out, func(w *wtx, c *hall.Counter) error {
		staff := c.StaffID
		if err := c.Logout(w.now); err != nil {
			return err
		}
		out = *c
		e := hall.CounterEvent(hall.EventCounterLogout, *c, w.today(), w.now, "")
		e.StaffID = staff
		return w.emit(e)
	})
	return out, err
}

// take calls t at c and records the rule state.
func (w *wtx) take(c *hall.Counter, t *hall.Ticket, silent bool, note string) error {
	if err := c.CanCall(); err != nil {
		return err
	}
	wasQueued := t.State == hall.TicketWaiting
	before := *t
	if err := t.Call(c, w.now, silent); err != nil {
		return err
	}
	if err := c.Take(t.ID, w.now); err != nil {
		return err
	}
	if wasQueued {
		if err := w.dequeue(&before); err != nil {
			return err
		}
	}
	if err := w.saveTicket(t); err != nil {
		return err
	}
	return w.emit(hall.CallEvent(hall.EventTicketCalled, *t, c, w.now, note))
}

// CallNext calls the ticket the counter's calling rule picks. ENOTFOUND for an unknown counter,
// or with reason "queue_empty" when nobody waits; ECONFLICT when the counter is logged out,
// paused or still has a ticket.
func (s *Store) CallNext(ctx context.Context, counterID string, silent bool) (hall.Ticket, error) {
	var out hall.Ticket
	err := s.counterStep(ctx, counterID, "call", &out, func(w *wtx, c *hall.Counter) error {
		if err := c.CanCall(); err != nil {
			return err
		}
		pick, state, ok := hall.PickNext(c.EffectiveRule(w.hall()), c.Services, c.RuleState, candidates(w.tx, c), w.now)
		if !ok {
			return hall.Errorf(hall.ENOTFOUND, "queue_empty", "当前没有等候的号码", "nobody is waiting")
		}
		t, err := w.loadTicket(pick.TicketID)
		if err != nil {
			return err
		}
		c.RuleState = state
		if err := w.take(c, t, silent, ""); err != nil {
			return err
		}
		out = *t
		return nil
	})
	return out, err
}

// CallTicket calls one chosen waiting ticket (指定叫号). ENOTFOUND for an unknown counter or
// ticket; ECONFLICT when the counter cannot call, the ticket is not waiting, belongs to a service
// the counter does not serve, or was transferred to another counter.
func (s *Store) CallTicket(ctx context.Context, counterID, ticketID string, silent bool) (hall.Ticket, error) {
	var out hall.Ticket
	err := s.counterStep(ctx, counterID, "call_ticket", &out, func(w *wtx, c *hall.Counter) error {
		if err := c.CanCall(); err != nil {
			return err
		}
		t, err := w.loadTicket(ticketID)
		if err != nil {
			return err
		}
		if t.TargetCounterID == "" && !c.Serves(t.ServiceID) && t.State == hall.TicketWaiting {
			return hall.Errorf(hall.ECONFLICT, "not_counter_service", "%d 号窗口不办理号码 %s 的事项", "counter %d does not serve the service of ticket %s", c.Number, t.Code)
		}
		if err := w.take(c, t, silent, "specific"); err != nil {
			return err
		}
		out = *t
		return nil
	})
	return out, err
}

// ticketStep runs fn on the counter's current ticket and saves both.
func (s *Store) ticketStep(ctx context.Context, counterID, op string, fn func(w *wtx, c *hall.Counter, t *hall.Ticket) error) (hall.Ticket, error) {
	var out hall.Ticket
	err := s.counterStep(ctx, counterID, op, &out, func(w *wtx, c *hall.Counter) error {
		t, err := w.currentTicket(c)
		if err != nil {
			return err
		}
		if err := fn(w, c, t); err != nil {
			return err
		}
		out = *t
		return w.saveTicket(t)
	})
	return out, err
}

// Recall announces the counter's called ticket again (重呼). ECONFLICT unless a ticket is called.
func (s *Store) Recall(ctx context.Context, counterID string) (hall.Ticket, error) {
	return s.ticketStep(ctx, counterID, "recall", func(w *wtx, c *hall.Counter, t *hall.Ticket) error {
		if err := t.Recall(w.now); err != nil {
			return err
		}
		return w.emit(hall.CallEvent(hall.EventTicketRecalled, *t, c, w.now, ""))
	})
}

// Start marks that the called visitor arrived and service began. ECONFLICT unless a ticket is called.
func (s *Store) Start(ctx context.Context, counterID string) (hall.Ticket, error) {
	return s.ticketStep(ctx, counterID, "start", func(w *wtx, c *hall.Counter, t *hall.Ticket) error {
		if err := t.Start(w.now); err != nil {
			return err
		}
		return w.emit(hall.TicketEvent(hall.EventTicketStarted, *t, c, w.now, ""))
	})
}

// Finish closes the counter's ticket as done (办结) and frees the counter. ECONFLICT unless a
// ticket is called or served.
func (s *Store) Finish(ctx context.Context, counterID string) (hall.Ticket, error) {
	return s.ticketStep(ctx, counterID, "finish", func(w *wtx, c *hall.Counter, t *hall.Ticket) error {
		if err := t.Finish(w.now); err != nil {
			return err
		}
		if err := c.Release(w.now); err != nil {
			return err
		}
		if err := w.forgetPerson(t); err != nil {
			return err
		}
		if err := w.recordServiceTime(t.ServiceID, t.ServiceTime()); err != nil {
			return err
		}
		return w.emit(hall.TicketEvent(hall.EventTicketFinished, *t, c, w.now, ""))
	})
}

// NoShow marks the called ticket missed (过号); with requeuePlaces > 0 it goes back into its
// service's line that many places behind the head (过号重排). ECONFLICT unless a ticket is called,
// or when it has been put back MaxRequeues times; EINVALID for a negative or absurd count.
func (s *Store) NoShow(ctx context.Context, counterID string, requeuePlaces int) (hall.Ticket, error) {
	if requeuePlaces < 0 || requeuePlaces > 1000 {
		return hall.Ticket{}, hall.Errorf(hall.EINVALID, "requeue_places", "重排位数应在 0 到 1000 之间", "requeue places must be 0 to 1000")
	}
	return s.ticketStep(ctx, counterID, "noshow", func(w *wtx, c *hall.Counter, t *hall.Ticket) error {
		if requeuePlaces == 0 {
			if err := t.NoShow(w.now); err != nil {
				return err
			}
			if err := c.Release(w.now); err != nil {
				return err
			}
			if err := w.forgetPerson(t); err != nil {
				return err
			}
			return w.emit(hall.TicketEvent(hall.EventTicketNoShow, *t, c, w.now, ""))
		}
		key := hall.RequeueKey(waitingKeys(w.tx, t.ServiceID), requeuePlaces, w.now)
		if err := t.Requeue(w.now, key, requeuePlaces); err != nil {
			return err
		}
		if err := c.Release(w.now); err != nil {
			return err
		}
		if err := w.enqueue(t); err != nil {
			return err
		}
		return w.emit(hall.TicketEvent(hall.EventTicketRequeued, *t, c, w.now, strconv.Itoa(requeuePlaces)))
	})
}

// Transfer ends the counter's ticket as transferred (转移) and queues its continuation in another
// service and/or at one counter, with the same code and arrival time; it returns the new ticket.
// ENOTFOUND for an unknown target; EINVALID when the target is the ticket's own service and no
// counter; EUNAVAILABLE when no counter serving the target service is open ("service_closed") or
// the target counter is logged out ("counter_closed"); ECONFLICT unless a ticket is called or served.
func (s *Store) Transfer(ctx context.Context, counterID string, to hall.TransferTarget) (hall.Ticket, error) {
	var next hall.Ticket
	err := s.counterStep(ctx, counterID, "transfer", &next, func(w *wtx, c *hall.Counter) error {
		t, err := w.currentTicket(c)
		if err != nil {
			return err
		}
		serviceID := to.ServiceID
		if serviceID == "" {
			serviceID = t.ServiceID
		}
		if serviceID == t.ServiceID && (to.CounterID == "" || to.CounterID == c.ID) {
			return hall.Errorf(hall.EINVALID, "transfer_nowhere", "请选择要转往的事项或其他窗口", "choose another service or another counter")
		}
		svc, err := w.loadService(serviceID)
		if err != nil {
			return err
		}
		if to.CounterID != "" {
			target, err := w.loadCounter(to.CounterID)
			if err != nil {
				return err
			}
			if target.State == hall.CounterLoggedOut {
				return hall.Errorf(hall.EUNAVAILABLE, "counter_closed", "%d 号窗口未开放，不能转入", "counter %d is not open and cannot take the ticket", target.Number)
			}
		} else if openCount(w.tx, svc.ID) == 0 {
			return hall.Errorf(hall.EUNAVAILABLE, "service_closed", "“%s”当前没有开放的窗口，不能转入", "no counter serving “%s” is open; the ticket cannot go there", svc.Name)
		}
		if t.State != hall.TicketCalled && t.State != hall.TicketServing {
			return t.TransferTo("", w.now, "") // returns the conflict error
		}
		nid, err := w.newTicketID()
		if err != nil {
			return err
		}
		if err := t.TransferTo(nid, w.now, svc.ID); err != nil {
			return err
		}
		if err := c.Release(w.now); err != nil {
			return err
		}
		if err := w.forgetPerson(t); err != nil {
			return err
		}
		next = t.Continuation(nid, *svc, to.CounterID, w.now)
		if err := w.saveTicket(&next); err != nil {
			return err
		}
		if next.AccessToken != "" {
			if err := w.putRaw(bucketTokens, []byte(next.AccessToken), []byte(next.ID)); err != nil {
				return err
			}
		}
		if next.Person != nil && next.Person.IDHash != "" {
			if err := w.putRaw(bucketPersons, personKey(next.ServiceID, next.Person.IDHash), []byte(next.ID)); err != nil {
				return err
			}
		}
		if err := w.enqueue(&next); err != nil {
			return err
		}
		if err := w.putRaw(bucketCodes, joinKey(string(next.Day), next.Code), []byte(next.ID)); err != nil {
			return err
		}
		if err := w.saveTicket(t); err != nil {
			return err
		}
		if err := w.emit(hall.TicketEvent(hall.EventTicketTransferred, *t, c, w.now, next.ID)); err != nil {
			return err
		}
		return w.emit(hall.TicketEvent(hall.EventTicketContinued, next, nil, w.now, t.ID))
	})
	return next, err
}

// Hold puts the counter's ticket aside (挂起) and frees the counter. ECONFLICT unless a ticket is
// called or served.
func (s *Store) Hold(ctx context.Context, counterID, reason string) (hall.Ticket, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 40 {
		return hall.Ticket{}, hall.Errorf(hall.EINVALID, "hold_reason", "挂起原因过长（最多 40 字）", "the hold reason is too long (40 characters at most)")
	}
	return s.ticketStep(ctx, counterID, "hold", func(w *wtx, c *hall.Counter, t *hall.Ticket) error {
		if err := t.Hold(w.now, reason); err != nil {
			return err
		}
		if err := c.Release(w.now); err != nil {
			return err
		}
		if err := w.putRaw(bucketHeld, joinKey(c.ID, t.ID), nil); err != nil {
			return err
		}
		return w.emit(hall.TicketEvent(hall.EventTicketHeld, *t, c, w.now, reason))
	})
}

// Resume brings a held ticket back into service at the counter that held it. ENOTFOUND for an
// unknown counter or ticket; ECONFLICT when the counter cannot take a ticket now or the ticket is
// not held there.
func (s *Store) Resume(ctx context.Context, counterID, ticketID string) (hall.Ticket, error) {
	var out hall.Ticket
	err := s.counterStep(ctx, counterID, "resume", &out, func(w *wtx, c *hall.Counter) error {
		if err := c.CanCall(); err != nil {
			return err
		}
		t, err := w.loadTicket(ticketID)
		if err != nil {
			return err
		}
		if err := t.Resume(c, w.now); err != nil {
			return err
		}
		if err := c.Take(t.ID, w.now); err != nil {
			return err
		}
		if err := w.del(bucketHeld, joinKey(c.ID, t.ID)); err != nil {
			return err
		}
		if err := w.saveTicket(t); err != nil {
			return err
		}
		out = *t
		return w.emit(hall.TicketEvent(hall.EventTicketResumed, *t, c, w.now, ""))
	})
	return out, err
}

// Pause stops the counter with a reason shown on its sign (暂停服务). EINVALID without a reason;
// ECONFLICT unless the counter is idle.
func (s *Store) Pause(ctx context.Context, counterID, reason string) (hall.Counter, error) {
	var out hall.Counter
	err := s.counterStep(ctx, counterID, "pause", &out, func(w *wtx, c *hall.Counter) error {
		if err := c.Pause(reason, w.now); err != nil {
			return err
		}
		out = *c
		return w.emit(hall.CounterEvent(hall.EventCounterPaused, *c, w.today(), w.now, c.PauseReason))
	})
	return out, err
}

// Unpause resumes calling. ECONFLICT unless the counter is paused.
func (s *Store) Unpause(ctx context.Context, counterID string) (hall.Counter, error) {
	var out hall.Counter
	err := s.counterStep(ctx, counterID, "unpause", &out, func(w *wtx, c *hall.Counter) error {
		if err := c.Unpause(w.now); err != nil {
			return err
		}
		out = *c
		return w.emit(hall.CounterEvent(hall.EventCounterUnpaused, *c, w.today(), w.now, ""))
	})
	return out, err
}

// VirtualCall serves a visitor who has no ticket (虚拟叫号): a silent ticket of the virtual channel
// is made, called and started at the counter, so statistics stay complete. Its code is the
// service prefix, "V" and a daily number (AV001). ENOTFOUND for an unknown counter or service;
// ECONFLICT when the counter cannot call or does not serve the service.
func (s *Store) VirtualCall(ctx context.Context, counterID, serviceID string) (hall.Ticket, error) {
	var out hall.Ticket
	err := s.counterStep(ctx, counterID, "virtual", &out, func(w *wtx, c *hall.Counter) error {
		if err := c.CanCall(); err != nil {
			return err
		}
		svc, err := w.loadService(serviceID)
		if err != nil {
			return err
		}
		if !c.Serves(svc.ID) {
			return hall.Errorf(hall.ECONFLICT, "not_counter_service", "%d 号窗口不办理「%s」", "counter %d does not serve %q", c.Number, svc.Name)
		}
		dayKey := joinKey(string(w.today()), svc.ID, "virtual")
		var day hall.ServiceDay
		if _, err := w.get(bucketSvcDay, dayKey, &day); err != nil {
			return err
		}
		day.Issued++
		day.LastNumber++
		tid, err := w.newTicketID()
		if err != nil {
			return err
		}
		vs := *svc
		vs.Prefix += "V"
		t := hall.Ticket{
			ID: tid, Day: w.today(), ServiceID: svc.ID, AreaID: svc.AreaID, Number: day.LastNumber, Code: vs.Code(day.LastNumber),
			Channel: hall.ChannelVirtual, ArrivedAt: w.now, QueueKey: w.now.UnixNano(), Virtual: true,
		}
		t.Issued(w.now)
		if err := w.put(bucketSvcDay, dayKey, day); err != nil {
			return err
		}
		if err := w.emit(hall.TicketEvent(hall.EventTicketIssued, t, nil, w.now, string(t.Channel))); err != nil {
			return err
		}
		if err := t.Call(c, w.now, true); err != nil {
			return err
		}
		if err := c.Take(t.ID, w.now); err != nil {
			return err
		}
		if err := w.emit(hall.CallEvent(hall.EventTicketCalled, t, c, w.now, "virtual")); err != nil {
			return err
		}
		if err := t.Start(w.now); err != nil {
			return err
		}
		if err := w.saveTicket(&t); err != nil {
			return err
		}
		out = t
		return w.emit(hall.TicketEvent(hall.EventTicketStarted, t, c, w.now, "virtual"))
	})
	return out, err
}

// CancelTicket withdraws a waiting ticket. ENOTFOUND for an unknown ticket; ECONFLICT unless it waits.
func (s *Store) CancelTicket(ctx context.Context, ticketID string) (hall.Ticket, error) {
	var out hall.Ticket
	err := s.updateOut(withOp(ctx, "cancel:"+ticketID), &out, func(w *wtx) error {
		t, err := w.loadTicket(ticketID)
		if err != nil {
			return err
		}
		before := *t
		if err := t.Cancel(w.now); err != nil {
			return err
		}
		out = *t
		return w.retire(&before, t, hall.EventTicketCancelled, "")
	})
	return out, err
}

// retire stores a ticket that has left the queue for good (cancelled, expired): out of the
// waiting index if it was there (before is the ticket as it was), out of the person index, and
// announced with an event of type typ.
func (w *wtx) retire(before, t *hall.Ticket, typ hall.EventType, note string) error {
	if before.State == hall.TicketWaiting {
		if err := w.dequeue(before); err != nil {
			return err
		}
	}
	if err := w.forgetPerson(t); err != nil {
		return err
	}
	if err := w.saveTicket(t); err != nil {
		return err
	}
	return w.emit(hall.TicketEvent(typ, *t, nil, w.now, note))
}

// serviceStats is a service's recent service times, in seconds, newest last.
type serviceStats struct {
	Recent []int64 `json:"recent"`
}

func (w *wtx) recordServiceTime(serviceID string, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	var st serviceStats
	if _, err := w.get(bucketSvcStats, []byte(serviceID), &st); err != nil {
		return err
	}
	st.Recent = append(st.Recent, int64(d/time.Second))
	if len(st.Recent) > hall.RecentServiceTimes {
		st.Recent = st.Recent[len(st.Recent)-hall.RecentServiceTimes:]
	}
	return w.put(bucketSvcStats, []byte(serviceID), st)
}

func averageService(tx *bbolt.Tx, svc hall.Service) time.Duration {
	var st serviceStats
	getJSON(tx.Bucket(bucketSvcStats), []byte(svc.ID), &st)
	recent := make([]time.Duration, len(st.Recent))
	for i, s := range st.Recent {
		recent[i] = time.Duration(s) * time.Second
	}
	return hall.AverageService(recent, svc.AverageService)
}

// Ticket returns one ticket (in full, with its access token). ENOTFOUND if unknown.
func (s *Store) Ticket(ctx context.Context, ticketID string) (hall.Ticket, error) {
	return one[hall.Ticket](s, bucketTickets, ticketID, "ticket_not_found", "号码", "ticket")
}

// TicketByToken finds the ticket a mobile page's token opens: the newest in its transfer chain.
// ENOTFOUND for an unknown token.
func (s *Store) TicketByToken(ctx context.Context, token string) (hall.Ticket, error) {
	var id []byte
	s.view(func(tx *bbolt.Tx) error {
		id = append(id, tx.Bucket(bucketTokens).Get([]byte(token))...)
		return nil
	})
	if len(id) == 0 {
		return hall.Ticket{}, hall.Errorf(hall.ENOTFOUND, "ticket_not_found", "号码不存在或链接无效", "no such ticket, or the link is not valid")
	}
	return s.Ticket(ctx, string(id))
}

// TicketByCode finds the newest ticket with a code ("A012") on a day. ENOTFOUND if none.
func (s *Store) TicketByCode(ctx context.Context, day hall.Day, code string) (hall.Ticket, error) {
	var id []byte
	s.view(func(tx *bbolt.Tx) error {
		id = append(id, tx.Bucket(bucketCodes).Get(joinKey(string(day), strings.ToUpper(code)))...)
		return nil
	})
	if len(id) == 0 {
		return hall.Ticket{}, notFound("ticket_not_found", "号码", "ticket", code)
	}
	return s.Ticket(ctx, string(id))
}

// HeldTickets lists the tickets a counter has on hold.
func (s *Store) HeldTickets(ctx context.Context, counterID string) ([]hall.Ticket, error) {
	var out []hall.Ticket
	err := s.view(func(tx *bbolt.Tx) error {
		p := joinKey(counterID, "")
		cur := tx.Bucket(bucketHeld).Cursor()
		for k, _ := cur.Seek(p); k != nil && hasPrefix(k, p); k, _ = cur.Next() {
			var t hall.Ticket
			if ok, err := getJSON(tx.Bucket(bucketTickets), k[len(p):], &t); err != nil || !ok {
				return internal("held ticket", err)
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// TicketStatus returns a ticket with its place in line and estimated wait. ENOTFOUND if unknown.
func (s *Store) TicketStatus(ctx context.Context, ticketID string) (hall.TicketStatus, error) {
	var st hall.TicketStatus
	err := s.view(func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketTickets), []byte(ticketID), &st.Ticket)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("ticket_not_found", "号码", "ticket", ticketID)
		}
		t := st.Ticket
		if t.State != hall.TicketWaiting {
			return nil
		}
		var svc hall.Service
		getJSON(tx.Bucket(bucketServices), []byte(t.ServiceID), &svc)
		if t.TargetCounterID == "" {
			mine := classOf(&t)
			base := joinKey(t.ServiceID, "")
			cur := tx.Bucket(bucketWaiting).Cursor()
			for k, _ := cur.Seek(base); k != nil && hasPrefix(k, base); k, _ = cur.Next() {
				if len(k) < len(base)+9 || string(k[len(base)+9:]) == t.ID {
					continue
				}
				class, key := k[len(base)], fromOrderKey(k[len(base)+1:len(base)+9])
				// Ahead: whoever queued earlier, plus priority and appointment tickets ahead of a walk-in.
				if key < t.QueueKey || (mine == classNormal && class != classNormal) || (mine == classPriority && class == classAppointment) {
					st.Ahead++
				}
			}
		}
		st.EstimatedWait = hall.EstimateWait(st.Ahead, averageService(tx, svc), int(max(openCount(tx, t.ServiceID), 1)))
		return nil
	})
	return st, err
}

// Availability reports every service's live state for kiosks and screens.
func (s *Store) Availability(ctx context.Context) ([]hall.Availability, error) {
	var out []hall.Availability
	now := s.now()
	err := s.view(func(tx *bbolt.Tx) error {
		cfg, err := loadHallConfig(tx)
		if err != nil {
			return err
		}
		today := hall.DayOf(now, cfg.loc)
		return tx.Bucket(bucketServices).ForEach(func(k, v []byte) error {
			var svc hall.Service
			if err := json.Unmarshal(v, &svc); err != nil {
				return internal("decode service", err)
			}
			var day hall.ServiceDay
			getJSON(tx.Bucket(bucketSvcDay), joinKey(string(today), svc.ID), &day)
			out = append(out, hall.ServiceAvailability(svc, day, int(openCount(tx, svc.ID)), waitingCount(tx, svc.ID), averageService(tx, svc), now, cfg.loc))
			return nil
		})
	})
	return out, err
}
