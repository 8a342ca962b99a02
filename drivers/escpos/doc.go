// Package escpos drives ESC/POS thermal receipt printers (the kiosk's ticket printer): it turns a
// drivers.Receipt into ESC/POS bytes (Encode), parses the printer's status replies
// (ParseRealtime, ParseAuto, StatusDecoder), and implements drivers.Printer over an
// io.ReadWriter (Printer).
//
// # Bytes sent
//
// Every receipt starts with ESC @ (1B 40) and, unless Options.NoChineseMode, FS & (1C 26), and
// then, per block:
//
//   - Line: ESC a n (1B 61 0/1/2, alignment, at line start), GS ! n (1D 21, width-1 in the high
//     nibble, height-1 in the low one), ESC E n (1B 45 0/1, bold), the text in GB18030, LF.
//     A line with a character outside GBK (a 4-byte GB18030 sequence such as 㛃 U+36C3, 82 30 B7 31,
//     which most printers cannot print) is drawn with the bundled CJK font (package assets) and
//     sent as a raster image instead, wrapped to the paper width.
//   - QR: ESC a n, then GS ( k: model 2 (31 41 32 00), module size (31 43 n), error level
//     (31 45 30-33), store (31 50 30 data, pL + 256·pH = len+3), print (31 51 30). The module
//     size goes in function 43 and the level in function 45; one public library sends the size in
//     the level command. With Options.QRAsImage the code is drawn with go-qrcode and sent as a
//     raster image instead, for printers without native QR support.
//   - Image: GS v 0 (1D 76 30 00 xL xH yL yH data), full paper width (alignment is drawn into the
//     image), in bands of Options.BandRows rows so that small receive buffers do not overflow.
//   - Feed: ESC d n (1B 64 n). Cut: GS V B n (1D 56 42 n: feed n lines and cut partially).
//
// # Status
//
// Real-time status DLE EOT n (10 04 n, n = 1 printer, 2 offline cause, 4 paper sensor) is
// answered by one byte with b & 0x93 == 0x12. Automatic status back (ASB, enabled with GS a n,
// 1D 61 n) sends 4-byte packets whose first byte has b & 0x93 == 0x10 and whose other bytes have
// b & 0x90 == 0. Both arrive on the same port in any order: the Printer's one reader goroutine
// separates them with a StatusDecoder and drops anything else. Printer.Print asks DLE EOT 1, 2
// and 4 before every receipt and refuses to print when the printer is not ready.
//
// # Concurrency
//
// Encode, the parsers and TextRenderer are safe for concurrent use. A Printer owns its port: it
// starts one reader goroutine, serialises its own calls, and Close (idempotent) closes the port
// if it is an io.Closer and waits for the goroutine to end.
//
// Protocol notes: DEVICES.md, "ESC/POS ticket printer".
package escpos
