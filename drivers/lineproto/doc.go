// Package lineproto implements the hall's own line protocol for rating pads and LED window
// signs, specified in PROTOCOL.md next to this file:
//
//	'@' ADDR ',' SEQ ',' NAME [',' FIELD]* '*' XX CR LF
//
// with GB18030 text percent-escaped, an XOR checksum, a 300 ms reply timeout, retries with the
// same SEQ and devices that treat a repeated frame as already done.
//
// It provides the frame codec (Frame, Parse, AppendField, DecodeField), a stream Splitter that
// resynchronises on '@', the host side (Client: one request at a time, retries, typed
// *DeviceError for ERR replies) used by drivers/ratingpad and drivers/ledsign, and the device
// side (Responder) used by the simulators in drivers/sim and meant as the reference for adapter
// firmware.
//
// Concurrency: Frame values and the codec functions are safe for concurrent use; a Splitter
// belongs to one goroutine. A Client owns its port and one reader goroutine, serialises its
// requests, and stops on Close (idempotent). A Responder serialises its handler calls.
package lineproto
