// Package kiosk is the hall's self-service kiosk (取号机 / 自助终端): the screens a visitor uses
// without help — areas and services with live waiting counts, taking a number by a tap, an ID
// card, a phone number, a booking's QR code or short code, and the priority lane (绿色通道) —
// the ticket printing with its status check, the service guide (办事指南), and self-service
// licence printing (自助打证, licence.go) on an A4 printer through CUPS.
//
// It talks to the queue server only through the httpapi client and to its devices only through
// the drivers interfaces (CardReader, Scanner, Printer). The package does not import
// fyne.io/fyne/v2/app, so its flows run headless under fyne.io/fyne/v2/test; the thin main in
// kiosk/cmd/kiosk opens the real window.
//
// # Threading
//
// Widgets and the App's screen state are touched only on the Fyne goroutine: tap handlers run
// there, and background work (device loops, the event feed, server requests, printing) hands its
// results back through App.ui, which is fyne.Do serialised by a mutex (the headless test driver
// runs fyne.Do inline on the calling goroutine, so the mutex keeps test and device goroutines
// from interleaving).
//
// # Device input routing
//
// An ID card or a scanned code goes to the active screen's handler (App.onCard, App.onScan);
// screens that do not set one get the home behaviour (a card carries the person into the next
// ticket or checks in today's booking; a scan checks in a booking). A later screen, such as the
// self-service licence printing (自助打证), installs its own handlers when shown.
//
// # Personal data
//
// ID numbers are never shown or printed in full: screens and tickets show drivers.MaskName and
// drivers.MaskIDNumber forms; the raw number goes only to the server, which hashes it.
package kiosk
