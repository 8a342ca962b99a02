// Package licencepdf makes the A4 PDF of a licence printed at the kiosk (自助打证): the title,
// the holder, the platform's fields, the issuer, and a QR code that opens the hall's
// verification of this very print. It is the only importer of github.com/signintech/gopdf and
// embeds the bundled CJK font as TrueType (assets/ttf), so it works offline; a PDF carries only
// the glyphs it uses.
//
// Concurrency: Make is safe for concurrent use (each call builds its own document).
package licencepdf

import (
	"fmt"
	"image"
	"strings"
	"time"

	"github.com/signintech/gopdf"
	qrcode "github.com/skip2/go-qrcode"

	"hall"
	"hall/assets/ttf"
)

// Print is what goes on the page.
type Print struct {
	Licence hall.Licence
	// VerifyURL is what the QR code holds: the hall's verification of Licence.VerifyCode.
	VerifyURL string
	// KioskID and PrintedAt are printed in the footer, for the audit trail.
	KioskID   string
	PrintedAt time.Time
	// Location formats times (default Asia/Shanghai).
	Location *time.Location
}

const (
	pageW, pageH = 595.28, 841.89 // A4 in points
	margin       = 56.0
	family       = "cjk"
)

// Make returns the PDF of p. It fails only if the licence has no title or the QR code cannot
// hold VerifyURL.
func Make(p Print) ([]byte, error) {
	l := p.Licence
	if strings.TrimSpace(l.Title) == "" {
		return nil, fmt.Errorf("licencepdf: the licence has no title")
	}
	if p.Location == nil {
		p.Location, _ = time.LoadLocation(hall.DefaultTimeZone)
	}
	qr, err := qrcode.New(p.VerifyURL, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("licencepdf: QR code: %w", err)
	}
	qr.DisableBorder = true
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	pdf.SetInfo(gopdf.PdfInfo{Title: l.Title, Subject: "licence " + l.ID, Creator: "Hall 自助打证", CreationDate: p.PrintedAt})
	if err := pdf.AddTTFFontData(family, ttf.Font()); err != nil {
		return nil, fmt.Errorf("licencepdf: font: %w", err)
	}
	pdf.AddPage()
	w := &writer{pdf: pdf, y: margin}

	// Frame and title.
	pdf.SetStrokeColor(150, 20, 20)
	pdf.SetLineWidth(2)
	pdf.RectFromUpperLeftWithStyle(margin/2, margin/2, pageW-margin, pageH-margin, "D")
	pdf.SetLineWidth(0.5)
	pdf.RectFromUpperLeftWithStyle(margin/2+5, margin/2+5, pageW-margin-10, pageH-margin-10, "D")
	pdf.SetTextColor(150, 20, 20)
	w.y += 20
	if err := w.centered(l.Title, 28); err != nil {
		return nil, err
	}
	pdf.SetTextColor(90, 90, 90)
	if err := w.centered("证照编号 Licence No. "+l.ID, 10); err != nil {
		return nil, err
	}
	w.y += 24
	pdf.SetTextColor(0, 0, 0)

	rows := []hall.LicenceField{{Label: "持证人", Value: l.Holder.Name}, {Label: "证件号码", Value: l.Holder.MaskedID}}
	rows = append(rows, l.Fields...)
	if l.Issuer != "" {
		rows = append(rows, hall.LicenceField{Label: "发证机关", Value: l.Issuer})
	}
	if !l.IssuedAt.IsZero() {
		rows = append(rows, hall.LicenceField{Label: "发证日期", Value: l.IssuedAt.In(p.Location).Format("2006年01月02日")})
	}
	for _, r := range rows {
		if err := w.row(r.Label, r.Value); err != nil {
			return nil, err
		}
	}

	// Verification block at the foot of the page.
	const qrSize = 110.0
	qy := pageH - margin - qrSize - 20
	if err := pdf.ImageFrom(qrImage(qr), pageW-margin-qrSize, qy, &gopdf.Rect{W: qrSize, H: qrSize}); err != nil {
		return nil, fmt.Errorf("licencepdf: QR image: %w", err)
	}
	pdf.SetTextColor(60, 60, 60)
	foot := []string{
		"扫码核验 Scan to verify",
		"自助打印 Printed at kiosk " + p.KioskID,
		"打印时间 " + p.PrintedAt.In(p.Location).Format("2006-01-02 15:04:05"),
		"本证照由政务服务平台出具，经大厅自助终端打印，一证一码，仅可领取一次。",
	}
	y := qy + 8
	for i, line := range foot {
		size := 10.0
		if i == 0 {
			size = 13
		}
		if err := pdf.SetFont(family, "", size); err != nil {
			return nil, err
		}
		pdf.SetXY(margin, y)
		if err := pdf.Cell(nil, line); err != nil {
			return nil, err
		}
		y += size + 9
	}
	return pdf.GetBytesPdfReturnErr()
}

// writer lays out lines top-down.
type writer struct {
	pdf *gopdf.GoPdf
	y   float64
}

func (w *writer) centered(text string, size float64) error {
	if err := w.pdf.SetFont(family, "", size); err != nil {
		return err
	}
	tw, err := w.pdf.MeasureTextWidth(text)
	if err != nil {
		return err
	}
	w.pdf.SetXY((pageW-tw)/2, w.y)
	if err := w.pdf.Cell(nil, text); err != nil {
		return err
	}
	w.y += size * 1.6
	return nil
}

// row prints "label  value", the value wrapped within the right column.
func (w *writer) row(label, value string) error {
	const size, labelW = 13.0, 110.0
	if err := w.pdf.SetFont(family, "", size); err != nil {
		return err
	}
	w.pdf.SetTextColor(90, 90, 90)
	w.pdf.SetXY(margin+10, w.y)
	if err := w.pdf.Cell(nil, label); err != nil {
		return err
	}
	w.pdf.SetTextColor(0, 0, 0)
	lines, err := w.pdf.SplitTextWithWordWrap(value, pageW-2*margin-labelW-20)
	if err != nil || len(lines) == 0 {
		lines = []string{value}
	}
	for _, ln := range lines {
		w.pdf.SetXY(margin+10+labelW, w.y)
		if err := w.pdf.Cell(nil, ln); err != nil {
			return err
		}
		w.y += size * 1.5
	}
	w.pdf.SetStrokeColor(210, 210, 210)
	w.pdf.SetLineWidth(0.5)
	w.pdf.Line(margin+10, w.y-size*0.3, pageW-margin-10, w.y-size*0.3)
	w.y += 6
	return nil
}

// qrImage renders the QR code with 8 pixels per module, enough for a sharp print.
func qrImage(q *qrcode.QRCode) image.Image {
	return q.Image(len(q.Bitmap()) * 8)
}
