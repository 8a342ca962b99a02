package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"sort"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var _ hall.Catalog = (*Store)(nil)

// Hall returns the hall configuration.
func (s *Store) Hall(ctx context.Context) (hall.Hall, error) {
	var h hall.Hall
	err := s.view(func(tx *bbolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketMeta), metaHall, &h)
		return err
	})
	return h, err
}

// SetHall replaces the hall configuration. EINVALID if it does not validate.
func (s *Store) SetHall(ctx context.Context, h hall.Hall) error {
	if h.TimeZone == "" {
		h.TimeZone = hall.DefaultTimeZone
	}
	if err := h.Validate(); err != nil {
		return err
	}
	loc, _ := h.Location()
	return s.update(ctx, func(w *wtx) error {
		if err := w.put(bucketMeta, metaHall, h); err != nil {
			return err
		}
		w.cfgChanged = &hallConfig{hall: h, loc: loc}
		w.cfg = w.cfgChanged
		return w.emit(hall.Event{Type: hall.EventCatalogChanged, Note: "hall"})
	})
}

// list decodes every value of a bucket.
func list[T any](s *Store, bucket []byte) ([]T, error) {
	var out []T
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var x T
			if err := json.Unmarshal(v, &x); err != nil {
				return internal("decode "+string(bucket), err)
			}
			out = append(out, x)
			return nil
		})
	})
	return out, err
}

// one decodes one value or returns ENOTFOUND.
func one[T any](s *Store, bucket []byte, id, reason, zh, en string) (T, error) {
	var x T
	err := s.view(func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucket), []byte(id), &x)
		if err == nil && !ok {
			return notFound(reason, zh, en, id)
		}
		return err
	})
	return x, err
}

func notFound(reason, zh, en, id string) *hall.Error {
	return &hall.Error{Code: hall.ENOTFOUND, Reason: reason, Message: zh + "不存在：" + id, English: en + " not found: " + id}
}

// putCatalog validates and stores a catalog record that needs no cross-checks, and announces it.
func putCatalog[T any](s *Store, ctx context.Context, bucket []byte, kind, id string, v T, validate func() error) error {
	if err := validate(); err != nil {
		return err
	}
	return s.update(ctx, func(w *wtx) error {
		if err := w.put(bucket, []byte(id), v); err != nil {
			return err
		}
		return catalogChanged(w, kind, id)
	})
}

func catalogChanged(w *wtx, kind, id string) error {
	return w.emit(hall.Event{Type: hall.EventCatalogChanged, Note: kind + ":" + id})
}

// Areas lists the areas.
func (s *Store) Areas(ctx context.Context) ([]hall.Area, error) {
	return list[hall.Area](s, bucketAreas)
}

// PutArea creates or updates an area. EINVALID if it does not validate.
func (s *Store) PutArea(ctx context.Context, a hall.Area) error {
	return putCatalog(s, ctx, bucketAreas, "area", a.ID, a, a.Validate)
}

// DeleteArea removes an area. ENOTFOUND if absent; ECONFLICT while services or counters use it.
func (s *Store) DeleteArea(ctx context.Context, id string) error {
	return s.update(ctx, func(w *wtx) error {
		if w.bucket(bucketAreas).Get([]byte(id)) == nil {
			return notFound("area_not_found", "区域", "area", id)
		}
		inUse := false
		forEach(w.tx, bucketServices, func(v hall.Service) { inUse = inUse || v.AreaID == id })
		forEach(w.tx, bucketCounters, func(v hall.Counter) { inUse = inUse || v.AreaID == id })
		if inUse {
			return hall.Errorf(hall.ECONFLICT, "area_in_use", "区域 %s 仍有事项或窗口，不能删除", "area %s still has services or counters", id)
		}
		if err := w.del(bucketAreas, []byte(id)); err != nil {
			return err
		}
		return catalogChanged(w, "area", id)
	})
}

// forEach decodes every value of a bucket, skipping undecodable ones (they fail loudly on read paths).
func forEach[T any](tx *bbolt.Tx, bucket []byte, fn func(T)) {
	tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		var x T
		if json.Unmarshal(v, &x) == nil {
			fn(x)
		}
		return nil
	})
}

// Services lists the services.
func (s *Store) Services(ctx context.Context) ([]hall.Service, error) {
	return list[hall.Service](s, bucketServices)
}

// Service returns one service or ENOTFOUND.
func (s *Store) Service(ctx context.Context, id string) (hall.Service, error) {
	return one[hall.Service](s, bucketServices, id, "service_not_found", "事项", "service")
}

// PutService creates or updates a service. EINVALID if it does not validate or its area is
// unknown; ECONFLICT if another service uses the same prefix with overlapping numbers (two
// tickets would read the same).
func (s *Store) PutService(ctx context.Context, svc hall.Service) error {
	if err := svc.Validate(); err != nil {
		return err
	}
	return s.update(ctx, func(w *wtx) error {
		if w.bucket(bucketAreas).Get([]byte(svc.AreaID)) == nil {
			return hall.Errorf(hall.EINVALID, "area_not_found", "区域不存在：%s", "area not found: %s", svc.AreaID)
		}
		var clash string
		forEach(w.tx, bucketServices, func(o hall.Service) {
			if o.ID != svc.ID && o.Prefix == svc.Prefix && o.NumberFrom <= svc.NumberTo && svc.NumberFrom <= o.NumberTo {
				clash = o.ID
			}
		})
		if clash != "" {
			return hall.Errorf(hall.ECONFLICT, "prefix_overlap", "号码前缀 %s 与事项 %s 的号码范围重叠", "prefix %s overlaps the numbers of service %s", svc.Prefix, clash)
		}
		if err := w.put(bucketServices, []byte(svc.ID), svc); err != nil {
			return err
		}
		return catalogChanged(w, "service", svc.ID)
	})
}

// DeleteService removes a service. ENOTFOUND if absent; ECONFLICT while counters serve it or
// tickets wait for it.
func (s *Store) DeleteService(ctx context.Context, id string) error {
	return s.update(ctx, func(w *wtx) error {
		if w.bucket(bucketServices).Get([]byte(id)) == nil {
			return notFound("service_not_found", "事项", "service", id)
		}
		inUse := false
		forEach(w.tx, bucketCounters, func(c hall.Counter) { inUse = inUse || c.Serves(id) })
		if k, _ := w.bucket(bucketWaiting).Cursor().Seek(joinKey(id, "")); k != nil && hasPrefix(k, joinKey(id, "")) {
			inUse = true
		}
		if inUse {
			return hall.Errorf(hall.ECONFLICT, "service_in_use", "事项 %s 仍有窗口办理或有人等候，不能删除", "service %s is still served by counters or has people waiting", id)
		}
		if err := w.del(bucketServices, []byte(id)); err != nil {
			return err
		}
		return catalogChanged(w, "service", id)
	})
}

// Counters lists the counters with their live state, by window number.
func (s *Store) Counters(ctx context.Context) ([]hall.Counter, error) {
	cs, err := list[hall.Counter](s, bucketCounters)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Number < cs[j].Number })
	return cs, err
}

// Counter returns one counter or ENOTFOUND.
func (s *Store) Counter(ctx context.Context, id string) (hall.Counter, error) {
	return one[hall.Counter](s, bucketCounters, id, "counter_not_found", "窗口", "counter")
}

// PutCounter creates a counter or changes its configuration, keeping its live state.
// EINVALID if it does not validate or names an unknown area or service; ECONFLICT if another
// counter has the same window number.
func (s *Store) PutCounter(ctx context.Context, c hall.Counter) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.update(ctx, func(w *wtx) error {
		if w.bucket(bucketAreas).Get([]byte(c.AreaID)) == nil {
			return hall.Errorf(hall.EINVALID, "area_not_found", "区域不存在：%s", "area not found: %s", c.AreaID)
		}
		for _, cs := range c.Services {
			if w.bucket(bucketServices).Get([]byte(cs.ServiceID)) == nil {
				return hall.Errorf(hall.EINVALID, "service_not_found", "事项不存在：%s", "service not found: %s", cs.ServiceID)
			}
		}
		var clash string
		forEach(w.tx, bucketCounters, func(o hall.Counter) {
			if o.ID != c.ID && o.Number == c.Number {
				clash = o.ID
			}
		})
		if clash != "" {
			return hall.Errorf(hall.ECONFLICT, "counter_number_taken", "窗口号 %d 已被窗口 %s 使用", "window number %d is used by counter %s", c.Number, clash)
		}
		var old hall.Counter
		ok, err := w.get(bucketCounters, []byte(c.ID), &old)
		if err != nil {
			return err
		}
		if ok {
			c.State, c.StaffID, c.PauseReason, c.TicketID, c.Since, c.RuleState = old.State, old.StaffID, old.PauseReason, old.TicketID, old.Since, old.RuleState
		} else {
			c.State, c.StaffID, c.PauseReason, c.TicketID, c.Since, c.RuleState = hall.CounterLoggedOut, "", "", "", w.now, hall.RuleState{}
		}
		var before *hall.Counter
		if ok {
			before = &old
		}
		if err := w.putCounter(before, c); err != nil {
			return err
		}
		return catalogChanged(w, "counter", c.ID)
	})
}

// DeleteCounter removes a counter. ENOTFOUND if absent; ECONFLICT unless it is logged out.
func (s *Store) DeleteCounter(ctx context.Context, id string) error {
	return s.update(ctx, func(w *wtx) error {
		var c hall.Counter
		if ok, err := w.get(bucketCounters, []byte(id), &c); err != nil || !ok {
			if err != nil {
				return err
			}
			return notFound("counter_not_found", "窗口", "counter", id)
		}
		if c.State != hall.CounterLoggedOut {
			return hall.Errorf(hall.ECONFLICT, "counter_in_use", "窗口 %s 仍在使用，请先退出登录", "counter %s is in use; log out first", id)
		}
		if err := w.del(bucketCounters, []byte(id)); err != nil {
			return err
		}
		return catalogChanged(w, "counter", id)
	})
}

// putCounter stores c and keeps the per-service count of open counters right: every write of a
// counter goes through here. before is the stored counter (nil for a new one).
func (w *wtx) putCounter(before *hall.Counter, c hall.Counter) error {
	delta := map[string]int{}
	if before != nil && before.Open() {
		for _, s := range before.Services {
			delta[s.ServiceID]--
		}
	}
	if c.Open() {
		for _, s := range c.Services {
			delta[s.ServiceID]++
		}
	}
	for id, d := range delta {
		if d == 0 {
			continue
		}
		n := int(openCount(w.tx, id)) + d
		if n < 0 {
			n = 0
		}
		if err := w.putRaw(bucketSvcOpen, []byte(id), binary.BigEndian.AppendUint32(nil, uint32(n))); err != nil {
			return err
		}
	}
	return w.put(bucketCounters, []byte(c.ID), c)
}

// openCount is how many open counters serve a service.
func openCount(tx *bbolt.Tx, serviceID string) uint32 {
	v := tx.Bucket(bucketSvcOpen).Get([]byte(serviceID))
	if len(v) != 4 {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}

// StaffList lists staff members.
func (s *Store) StaffList(ctx context.Context) ([]hall.Staff, error) {
	return list[hall.Staff](s, bucketStaff)
}

// Staff returns one staff member or ENOTFOUND.
func (s *Store) Staff(ctx context.Context, id string) (hall.Staff, error) {
	return one[hall.Staff](s, bucketStaff, id, "staff_not_found", "工作人员", "staff member")
}

// PutStaff creates or updates a staff member. EINVALID if it does not validate.
func (s *Store) PutStaff(ctx context.Context, st hall.Staff) error {
	return putCatalog(s, ctx, bucketStaff, "staff", st.ID, st, st.Validate)
}

// DeleteStaff removes a staff member. ENOTFOUND if absent; ECONFLICT while logged in at a counter.
func (s *Store) DeleteStaff(ctx context.Context, id string) error {
	return s.update(ctx, func(w *wtx) error {
		if w.bucket(bucketStaff).Get([]byte(id)) == nil {
			return notFound("staff_not_found", "工作人员", "staff member", id)
		}
		busy := false
		forEach(w.tx, bucketCounters, func(c hall.Counter) { busy = busy || (c.StaffID == id && c.State != hall.CounterLoggedOut) })
		if busy {
			return hall.Errorf(hall.ECONFLICT, "staff_logged_in", "工作人员 %s 正在窗口登录，不能删除", "staff member %s is logged in at a counter", id)
		}
		if err := w.del(bucketStaff, []byte(id)); err != nil {
			return err
		}
		return catalogChanged(w, "staff", id)
	})
}

func hasPrefix(k, p []byte) bool { return len(k) >= len(p) && string(k[:len(p)]) == string(p) }
