package kiosk

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"hall"
)

// showGuide is the touch query (办事指南): with serviceID "" the list of services by area and the
// floor guide; otherwise that service's guide, materials, procedure, place and hours, with a
// button to take a number for it.
func (a *App) showGuide(serviceID string) {
	a.guideService = serviceID
	var body fyne.CanvasObject
	if sv, ok := a.service(serviceID); ok {
		body = a.serviceGuide(sv.Service, sv.Availability.Open)
	} else {
		a.guideService = ""
		body = a.guideIndex()
	}
	a.setContent(ScreenGuide, container.NewBorder(a.header(), nil, nil, nil, container.NewVScroll(container.NewPadded(body))), a.o.IdleTimeout)
}

// guideIndex lists the services by area, then the floor guide.
func (a *App) guideIndex() fyne.CanvasObject {
	items := []fyne.CanvasObject{centred(a.t("guide_title"), sizeTitle, colorText, true)}
	for _, ar := range a.areas {
		items = append(items, text(a.name(ar.Name, ar.NameEN), sizeLarge, colorBrand, true))
		var tiles []fyne.CanvasObject
		for _, sv := range a.services {
			if sv.Service.AreaID != ar.ID {
				continue
			}
			id := sv.Service.ID
			tiles = append(tiles, button(a.name(sv.Service.Name, sv.Service.NameEN), false, a.tap(func() { a.showGuide(id) })))
		}
		items = append(items, container.NewGridWithColumns(3, tiles...))
	}
	items = append(items, text(a.t("floor_guide"), sizeTitle, colorText, true))
	for _, ar := range a.areas {
		var lines []string
		for _, sv := range a.services {
			if sv.Service.AreaID == ar.ID {
				s := sv.Service
				lines = append(lines, a.name(s.Name, s.NameEN)+"："+a.name(s.Direction, s.DirectionEN))
			}
		}
		items = append(items, panel(colorTile, container.NewVBox(
			text(a.name(ar.Name, ar.NameEN), sizeLarge, colorBrand, true),
			wrapped(strings.Join(lines, "\n")))))
	}
	items = append(items, button(a.t("home"), true, a.tap(a.showHome)))
	return container.NewVBox(items...)
}

// serviceGuide is one service's page.
func (a *App) serviceGuide(s hall.Service, open bool) fyne.CanvasObject {
	section := func(title, body string) fyne.CanvasObject {
		return container.NewVBox(text(title, sizeLarge, colorBrand, true), wrapped(body))
	}
	items := []fyne.CanvasObject{centred(a.name(s.Name, s.NameEN), sizeTitle, colorText, true)}
	if g := a.name(s.Guide, s.GuideEN); g != "" {
		items = append(items, wrapped(g))
	}
	if len(s.Materials) > 0 {
		var b strings.Builder
		for i, m := range s.Materials {
			fmt.Fprintf(&b, "%d. %s\n", i+1, m)
		}
		items = append(items, section(a.t("materials"), strings.TrimSpace(b.String())))
	}
	steps := s.Procedure
	if a.lang == English && len(s.ProcedureEN) > 0 {
		steps = s.ProcedureEN
	}
	if len(steps) > 0 {
		var b strings.Builder
		for i, st := range steps {
			fmt.Fprintf(&b, "%d. %s\n", i+1, st)
		}
		items = append(items, section(a.t("procedure"), strings.TrimSpace(b.String())))
	}
	if d := a.name(s.Direction, s.DirectionEN); d != "" {
		items = append(items, section(a.t("where"), d))
	}
	hours := a.t("all_day")
	if len(s.Hours) > 0 {
		var hs []string
		for _, h := range s.Hours {
			hs = append(hs, h.Open.String()+"-"+h.Close.String())
		}
		hours = strings.Join(hs, a.t("list_sep"))
	}
	items = append(items, section(a.t("hours"), hours))
	limit := a.t("on_the_spot")
	if s.TimeLimitDays > 0 {
		limit = a.t("days", s.TimeLimitDays)
	}
	items = append(items, section(a.t("time_limit"), limit))
	id := s.ID
	take := fyne.CanvasObject(disabledButton(a.t("take_number"), a.t("closed")))
	if open {
		take = button(a.t("take_number"), true, a.tap(func() { a.takeNumber(id) }))
	}
	items = append(items, container.NewGridWithColumns(2, button(a.t("back"), false, a.tap(func() { a.showGuide("") })), take))
	return container.NewVBox(items...)
}
