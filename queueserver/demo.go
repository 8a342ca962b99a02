package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hall"
	"hall/queueserver/backend"
	"hall/queueserver/httpapi"
)

// Demo credentials. They are printed at every -demo start; change them before real use.
const (
	demoAdminPassword      = "admin123"
	demoSupervisorPassword = "super123"
	demoClerkPassword      = "clerk123"
	demoCredentialsFile    = "demo-credentials.txt"
)

type demoService struct {
	id, name, nameEN, area, prefix, direction string
	avg                                       time.Duration
	materials                                 []string
}

var demoAreas = []hall.Area{
	{ID: "a1", Name: "一楼 A 区 · 社会保障", NameEN: "Floor 1, Area A · Social Security"},
	{ID: "a2", Name: "二楼 B 区 · 不动产与公安", NameEN: "Floor 2, Area B · Property and Police"},
	{ID: "a3", Name: "三楼 C 区 · 税务与企业", NameEN: "Floor 3, Area C · Tax and Business"},
}

var demoServices = []demoService{
	{"shebao", "社保", "Social insurance", "a1", "A", "请到一楼 A 区 1-3 号窗口", 6 * time.Minute, []string{"身份证原件", "社保卡"}},
	{"yibao", "医保", "Medical insurance", "a1", "B", "请到一楼 A 区 4-5 号窗口", 5 * time.Minute, []string{"身份证原件", "医保卡", "医疗费用票据"}},
	{"gjj", "公积金", "Housing fund", "a1", "C", "请到一楼 A 区 6-7 号窗口", 8 * time.Minute, []string{"身份证原件", "购房合同或租房证明"}},
	{"budongchan", "不动产登记", "Real estate registration", "a2", "D", "请到二楼 B 区 8-11 号窗口", 15 * time.Minute, []string{"身份证原件", "不动产权证书", "买卖合同"}},
	{"huji", "户籍", "Household registration", "a2", "E", "请到二楼 B 区 12-13 号窗口", 7 * time.Minute, []string{"身份证原件", "户口簿"}},
	{"churujing", "出入境", "Exit and entry", "a2", "F", "请到二楼 B 区 14 号窗口", 10 * time.Minute, []string{"身份证原件", "近期免冠照片"}},
	{"shuiwu", "税务", "Taxation", "a3", "G", "请到三楼 C 区 15-17 号窗口", 9 * time.Minute, []string{"身份证原件", "营业执照"}},
	{"qiye", "企业开办", "Business start-up", "a3", "H", "请到三楼 C 区 18-20 号窗口", 20 * time.Minute, []string{"法定代表人身份证", "公司章程", "住所证明"}},
}

// demoCounters maps window numbers 1..20 to the services they serve (the first is preferred).
var demoCounters = [][]string{
	{"shebao"}, {"shebao"}, {"shebao", "yibao"}, {"yibao"}, {"yibao", "shebao"}, {"gjj"}, {"gjj"},
	{"budongchan"}, {"budongchan"}, {"budongchan"}, {"budongchan", "huji"}, {"huji"}, {"huji", "churujing"}, {"churujing"},
	{"shuiwu"}, {"shuiwu"}, {"shuiwu", "qiye"}, {"qiye"}, {"qiye"}, {"qiye", "shuiwu"},
}

var demoClerkNames = []string{"王芳", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴昊",
	"徐丽", "孙浩", "马超", "朱琳", "胡军", "郭敏", "何静", "高翔", "林涛", "罗佳"}

// seedDemo fills an empty store with the demo hall: 3 areas, 8 services, 20 counters with a
// clerk logged in at each, an admin and a supervisor, two kiosks and four screens. A store that
// already has services is left alone.
func (m *Main) seedDemo(ctx context.Context) error {
	st := m.store
	if svcs, err := st.Services(ctx); err != nil {
		return err
	} else if len(svcs) > 0 {
		m.Logger.Info("demo: the store already has a hall; not seeding")
		return m.loginDemoClerks(ctx)
	}
	h := hall.DefaultHall()
	h.Name, h.NameEN = "市民服务中心（演示）", "Citizen Service Center (demo)"
	h.NoDayClose = true // a demo runs at any hour; real halls close the day (hall.Hall.DayClose)
	h.Notices = []string{
		"请提前准备好身份证原件及办事材料，办事指南可在取号机“办事指南”中查询。",
		"老年人、残疾人、军人等可走绿色通道，请向导办台咨询。",
		"扫描取号凭条上的二维码，可在手机上查看排队进度。",
	}
	if err := st.SetHall(ctx, h); err != nil {
		return err
	}
	for _, a := range demoAreas {
		if err := st.PutArea(ctx, a); err != nil {
			return err
		}
	}
	slots := []hall.SlotTemplate{
		{Start: hall.MustClock("09:00"), End: hall.MustClock("10:00"), Capacity: 10},
		{Start: hall.MustClock("10:00"), End: hall.MustClock("11:00"), Capacity: 10},
		{Start: hall.MustClock("14:00"), End: hall.MustClock("15:00"), Capacity: 10},
		{Start: hall.MustClock("15:00"), End: hall.MustClock("16:00"), Capacity: 10},
	}
	for _, d := range demoServices {
		svc := hall.Service{
			ID: d.id, Name: d.name, NameEN: d.nameEN, AreaID: d.area, Prefix: d.prefix,
			NumberFrom: 1, NumberTo: 999, Digits: 3, DailyCap: 500, Materials: d.materials,
			Direction: d.direction, AverageService: d.avg, TimeLimitDays: 0,
		}
		if g, ok := demoGuides[d.id]; ok {
			svc.Guide, svc.GuideEN, svc.Procedure, svc.ProcedureEN = g.guide, g.guideEN, g.procedure, g.procedureEN
		}
		svc.DirectionEN = demoDirectionsEN[d.id]
		if d.id == "budongchan" || d.id == "qiye" || d.id == "churujing" {
			svc.Slots = slots
		}
		if err := st.PutService(ctx, svc); err != nil {
			return err
		}
	}
	area := map[string]string{}
	for _, d := range demoServices {
		area[d.id] = d.area
	}
	hash := func(pw string) string {
		h, err := httpapi.HashPassword(pw)
		if err != nil {
			panic(err) // the demo passwords are valid
		}
		return h
	}
	adminHash, superHash, clerkHash := hash(demoAdminPassword), hash(demoSupervisorPassword), hash(demoClerkPassword)
	if err := st.PutStaff(ctx, hall.Staff{ID: "admin", Name: "系统管理员", Role: hall.RoleAdmin, PasswordHash: adminHash}); err != nil {
		return err
	}
	if err := st.PutStaff(ctx, hall.Staff{ID: "supervisor", Name: "值班主任", Role: hall.RoleSupervisor, PasswordHash: superHash}); err != nil {
		return err
	}
	for i, services := range demoCounters {
		n := i + 1
		c := hall.Counter{ID: fmt.Sprintf("w%02d", n), Number: n, Name: fmt.Sprintf("%d 号窗口", n), AreaID: area[services[0]]}
		for j, s := range services {
			c.Services = append(c.Services, hall.CounterService{ServiceID: s, Order: j})
		}
		if err := st.PutCounter(ctx, c); err != nil {
			return err
		}
		clerk := hall.Staff{ID: fmt.Sprintf("%04d", 1000+n), Name: demoClerkNames[i], Role: hall.RoleClerk, PasswordHash: clerkHash}
		if err := st.PutStaff(ctx, clerk); err != nil {
			return err
		}
		if _, err := st.Login(ctx, c.ID, clerk.ID); err != nil {
			return err
		}
	}
	var creds strings.Builder
	fmt.Fprintf(&creds, "# Hall demo credentials (device tokens are shown only here)\n")
	devices := []hall.Device{
		{ID: "kiosk-1", Name: "一楼大厅取号机 1", Kind: hall.DeviceKiosk, AreaID: "a1"},
		{ID: "kiosk-2", Name: "一楼大厅取号机 2", Kind: hall.DeviceKiosk, AreaID: "a1"},
		{ID: "screen-hall", Name: "一楼综合屏", Kind: hall.DeviceScreen},
		{ID: "screen-a1", Name: "A 区区域屏", Kind: hall.DeviceScreen, AreaID: "a1"},
		{ID: "screen-a2", Name: "B 区区域屏", Kind: hall.DeviceScreen, AreaID: "a2"},
		{ID: "screen-a3", Name: "C 区区域屏", Kind: hall.DeviceScreen, AreaID: "a3"},
	}
	for _, d := range devices {
		token, _, err := st.EnrolDevice(ctx, d)
		if err != nil {
			return err
		}
		fmt.Fprintf(&creds, "device %-12s %-7s token %s\n", d.ID, d.Kind, token)
	}
	path := filepath.Join(m.Config.DataDir, demoCredentialsFile)
	if err := os.WriteFile(path, []byte(creds.String()), 0o600); err != nil {
		return err
	}
	m.Logger.Info("demo: seeded the demo hall", "credentials", path)
	return nil
}

// loginDemoClerks logs the demo clerks in again at their counters when they are logged out
// (after a restart following a day close), so that the demo hall can issue tickets at once.
// Counters or clerks the demo did not create are left alone.
func (m *Main) loginDemoClerks(ctx context.Context) error {
	for i := range demoCounters {
		id, clerk := fmt.Sprintf("w%02d", i+1), fmt.Sprintf("%04d", 1001+i)
		c, err := m.store.Counter(ctx, id)
		if err != nil || c.State != hall.CounterLoggedOut {
			continue
		}
		if _, err := m.store.Staff(ctx, clerk); err != nil {
			continue
		}
		if _, err := m.store.Login(ctx, id, clerk); err != nil && hall.ErrorCode(err) != hall.ECONFLICT {
			return err
		}
	}
	return nil
}

// printDemo prints the URLs and the demo credentials.
func (m *Main) printDemo() {
	w := m.Stdout
	fmt.Fprintf(w, "\n市民服务中心（演示） Hall demo is running\n\n")
	fmt.Fprintf(w, "  API:        %s/api/v1/  (OpenAPI: %s/api/v1/openapi.json)\n", m.url, m.url)
	fmt.Fprintf(w, "  Events:     %s/api/v1/events?since=0  (websocket, bearer token)\n", strings.Replace(m.url, "http", "ws", 1))
	fmt.Fprintf(w, "  Health:     %s/healthz   Metrics: %s/metrics\n\n", m.url, m.url)
	fmt.Fprintf(w, "  管理员 admin       工号 admin       密码 %s\n", demoAdminPassword)
	fmt.Fprintf(w, "  值班主任 supervisor 工号 supervisor  密码 %s\n", demoSupervisorPassword)
	fmt.Fprintf(w, "  窗口人员 clerks     工号 1001-1020   密码 %s (1001 at window 1 … 1020 at window 20)\n", demoClerkPassword)
	if b, err := os.ReadFile(filepath.Join(m.Config.DataDir, demoCredentialsFile)); err == nil {
		fmt.Fprintf(w, "\n  Devices (from %s):\n", filepath.Join(m.Config.DataDir, demoCredentialsFile))
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if !strings.HasPrefix(line, "#") {
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
	}
	if screen := demoDeviceToken(m.Config.DataDir, "screen-hall"); screen != "" {
		fmt.Fprintf(w, "\n  Pages (open in a browser; a screen keeps its token after the first visit):\n")
		fmt.Fprintf(w, "    综合屏 hall board    %s/board?token=%s\n", m.url, screen)
		fmt.Fprintf(w, "    区域屏 area board    %s/board?area=a2&token=%s\n", m.url, screen)
		fmt.Fprintf(w, "    窗口屏 window sign   %s/sign?counter=w01&token=%s\n", m.url, screen)
		fmt.Fprintf(w, "    预约 booking         %s/book\n", m.url)
		fmt.Fprintf(w, "    (sound: start Chromium with --autoplay-policy=no-user-gesture-required, or tap the page once)\n")
	}
	if m.demoPlatformURL != "" {
		fmt.Fprintf(w, "\n  Platform (一窗受理 reference receiver, in this process; cases and ratings arrive here):\n")
		fmt.Fprintf(w, "    received       %s%s\n", m.demoPlatformURL, backend.ReceiverListPath)
		fmt.Fprintf(w, "    simulate down  curl -X POST '%s%s?mode=fail'   (then ?mode=ok)\n", m.demoPlatformURL, backend.ReceiverModePath)
		fmt.Fprintf(w, "    licence ready  curl -X POST %s%s -d '{\"caseId\":\"<case id>\",\"title\":\"不动产权证书\"}'\n", m.demoPlatformURL, backend.ReceiverLicencePath)
		fmt.Fprintf(w, "    backlog        GET %s/api/v1/backend/status (admin)   hall_backend_* on /metrics\n", m.url)
	}
	fmt.Fprintf(w, "\n  Try: curl -s -X POST %s/api/v1/auth/login -d '{\"staffId\":\"admin\",\"password\":\"%s\"}'\n\n", m.url, demoAdminPassword)
}

// demoDeviceToken reads a demo device's token from the credentials file ("" if absent).
func demoDeviceToken(dataDir, deviceID string) string {
	b, err := os.ReadFile(filepath.Join(dataDir, demoCredentialsFile))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && f[0] == "device" && f[1] == deviceID && f[3] == "token" {
			return f[4]
		}
	}
	return ""
}
