// Package terminal is the counter terminal (窗口叫号终端): the clerk's Fyne window with the
// current ticket, a button and a function key for every counter operation, the live waiting
// list and today's figures; the citizen-facing second window (窗口交互屏) with the rating
// buttons; and the counter's devices — the LED window sign, the rating pad and the scanner.
//
// It reaches the server only through the httpapi Client and its devices only through the
// drivers interfaces, so the same code runs against serial devices, devicesim's ptys or the
// drivers/sim simulators.
//
// Nothing lost, nothing doubled: every operation gets an idempotency key when the clerk presses
// the button, and is retried with that same key until the server gives a definite answer —
// across network drops, server restarts and an expired session — so it acts exactly once. While
// the server cannot be reached the buttons say so and stay disabled.
//
// Concurrency: the model (Terminal's fields under mu) is written by background goroutines (the
// operation runner, the event-feed and resync loop, the scanner reader, the rating flow);
// widgets are touched only on the Fyne goroutine, in render and the dialogs, reached through
// fyne.Do. Close stops every goroutine and waits for them.
package terminal
