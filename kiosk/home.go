package kiosk

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"hall"
	"hall/drivers"
	"hall/queueserver/httpapi"
)

// header is the brand bar on top of every screen: the hall's name (a tap asks for the admin PIN)
// and the language switch.
func (a *App) header() fyne.CanvasObject {
	name := a.name(a.info.Name, a.info.NameEN)
	if name == "" {
		name = a.t("offline_title")
	}
	title := newTile(colorBrand, 96, a.o.AdminPIN == "", a.tap(a.showAdminPIN), text(name, sizeTitle, colorWhite, true))
	lang := newTile(colorWhite, 64, false, a.tap(a.toggleLanguage), centred(a.t("switch_lang"), sizeNormal, colorBrand, true))
	return panel(colorBrand, container.NewBorder(nil, nil, nil, container.NewCenter(lang), title))
}

// toggleLanguage switches between Chinese and English and redraws the screen.
func (a *App) toggleLanguage() {
	if a.lang == Chinese {
		a.lang = English
	} else {
		a.lang = Chinese
	}
	a.redraw()
}

// redraw draws the current screen again (after a language switch).
func (a *App) redraw() {
	switch a.screen {
	case ScreenGuide:
		a.showGuide(a.guideService)
	case ScreenPriority:
		a.showPriority()
	case ScreenOffline:
		a.showOffline()
	case ScreenLicenceSwipe:
		a.showLicenceSwipe()
	case ScreenLicenceList:
		a.showLicenceList()
	default:
		a.showHome()
	}
}

// showHome draws the home screen: areas, the services of the chosen area with their live state,
// and the other ways to take a number.
func (a *App) showHome() {
	if !a.online {
		a.showOffline()
		return
	}
	var banner fyne.CanvasObject
	if a.pending != nil {
		msg := ""
		switch a.pending.Channel {
		case hall.ChannelIDCard:
			msg = a.t("person_ready", a.holder, drivers.MaskIDNumber(a.pending.IDNumber))
		case hall.ChannelPhone:
			msg = a.t("phone_ready", hall.MaskPhone(a.pending.Phone))
		case hall.ChannelPriority:
			msg = a.t("priority_ready", a.priorityName(a.pending.Priority))
		}
		banner = panel(colorBanner, container.NewBorder(nil, nil, nil,
			button(a.t("cancel"), false, a.tap(func() { a.pending, a.holder = nil, ""; a.showHome() })),
			container.NewVBox(text(msg, sizeLarge, colorText, true))))
	} else {
		banner = panel(colorBanner, container.NewVBox(
			text(a.t("welcome"), sizeLarge, colorText, true),
			text(a.t("scan_hint"), sizeSmall, colorMuted, false)))
	}

	var areaTiles []fyne.CanvasObject
	for _, ar := range a.areas {
		id := ar.ID
		bg, fg := colorTile, colorBrand
		if id == a.area {
			bg, fg = colorSelected, colorWhite
		}
		var lines []fyne.CanvasObject
		for _, part := range strings.Split(a.name(ar.Name, ar.NameEN), "·") {
			lines = append(lines, centred(strings.TrimSpace(part), sizeNormal, fg, true))
		}
		areaTiles = append(areaTiles, newTile(bg, 110, false, a.tap(func() { a.area = id; a.showHome() }), lines...))
	}

	var tiles []fyne.CanvasObject
	for _, sv := range a.services {
		if sv.Service.AreaID != a.area {
			continue
		}
		tiles = append(tiles, a.serviceTile(sv))
	}

	ways := container.NewGridWithColumns(a.columns(3, 5),
		button(a.t("way_phone"), false, a.tap(func() { a.showKeypad(keypadPhone) })),
		button(a.t("way_booking"), false, a.tap(func() { a.showKeypad(keypadBooking) })),
		button(a.t("way_priority"), false, a.tap(a.showPriority)),
		button(a.t("way_guide"), false, a.tap(func() { a.showGuide("") })),
		a.licenceEntry(),
	)

	body := container.NewVBox(
		banner,
		text(a.t("choose_area"), sizeNormal, colorMuted, false),
		container.NewGridWithColumns(min(max(len(areaTiles), 1), 3), areaTiles...),
		text(a.t("services_in_area"), sizeNormal, colorMuted, false),
		container.NewGridWithColumns(a.columns(2, 3), tiles...),
	)
	for _, n := range a.info.Notices {
		body.Add(wrapped("· " + n))
	}
	content := container.NewBorder(a.header(), container.NewPadded(ways), nil, nil,
		container.NewVScroll(container.NewPadded(body)))
	a.setContent(ScreenHome, content, 0)
	if a.pending != nil {
		a.timeout = a.o.IdleTimeout // a half-finished visit times out
	}
	a.onCard, a.onScan = a.homeCard, a.homeScan
}

// columns is portrait on a tall screen and landscape on a wide one.
func (a *App) columns(portrait, landscape int) int {
	if s := a.w.Canvas().Size(); s.Width > s.Height {
		return landscape
	}
	return portrait
}

// serviceTile shows one service: its name, and its waiting count and wait, or why it is closed.
func (a *App) serviceTile(sv httpapi.ServiceView) fyne.CanvasObject {
	s, av := sv.Service, sv.Availability
	if !av.Open {
		why := a.name(av.Message, av.English)
		if why == "" {
			why = a.t("closed")
		}
		return newTile(colorTileOff, 170, true, nil,
			centred(a.name(s.Name, s.NameEN), sizeTitle, colorMuted, true),
			centred(a.t("closed"), sizeSmall, colorWarn, true),
			wrappedCentred(why))
	}
	wait := a.t("no_wait")
	if av.Waiting > 0 {
		wait = a.t("waiting", av.Waiting) + " · " + a.t("est_wait", minutes(av.EstimatedWait))
	}
	id := s.ID
	return newTile(colorTile, 170, false, a.tap(func() { a.takeNumber(id) }),
		centred(a.name(s.Name, s.NameEN), sizeTitle, colorBrand, true),
		centred(wait, sizeNormal, colorText, false))
}

// wrappedCentred is a small centred label that wraps.
func wrappedCentred(s string) fyne.CanvasObject {
	l := wrapped(s)
	l.Alignment = fyne.TextAlignCenter
	return l
}

// service returns the view of a service by id.
func (a *App) service(id string) (httpapi.ServiceView, bool) {
	for _, sv := range a.services {
		if sv.Service.ID == id {
			return sv, true
		}
	}
	return httpapi.ServiceView{}, false
}

// showOffline shows the 暂停服务 screen (also the start-up screen before the first load).
func (a *App) showOffline() {
	a.pending, a.holder = nil, ""
	c := container.NewVBox(
		layout.NewSpacer(),
		centred(tr(Chinese, "offline_title")+"  "+tr(English, "offline_title"), sizeHuge/2, colorWarn, true),
		centred(tr(Chinese, "offline_body"), sizeLarge, colorText, false),
		centred(tr(English, "offline_body"), sizeNormal, colorText, false),
		centred(a.t("offline_retry"), sizeSmall, colorMuted, false),
		layout.NewSpacer(),
	)
	a.setContent(ScreenOffline, container.NewPadded(c), 0)
}
