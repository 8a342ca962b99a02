// Package idcard drives second-generation resident ID card readers
// (居民身份证阅读器) that speak the SAM protocol of GA/T 467 on a serial
// port (or a USB virtual COM port).
//
// It owns the frame codec (EncodeCommand, ParseReply), the mapping of every
// SW3 status code to a typed error (StatusError), the text block decoder
// with its checks (DecodeText) and the Reader, which runs commands and the
// polling loop behind drivers.CardReader.
//
// # Protocol (see DEVICES.md, "Second-generation resident ID card reader")
//
// Frames: AA AA AA 96 69 | LEN (2 bytes big-endian, counting every byte
// after itself, checksum included) | host: CMD PARA DATA… / reader: SW1 SW2
// SW3 DATA… | CHK, the XOR of the LEN bytes and everything up to the last
// data byte. Commands used: SAM status 11 FF, find card 20 01, select card
// 20 02, read text and photo 30 01 (reply: text length, photo length, 256
// bytes of UTF-16LE text, 1024 bytes of WLT photo) and appended address
// 30 03. After a successful read the card must be lifted before "find"
// succeeds again; that is normal, not a fault.
//
// Robustness: ParseReply resynchronises on the preamble after garbage, caps
// LEN (Options.MaxFrameLen), checks lengths and the checksum; a torn frame
// becomes ErrTornFrame after the reply timeout. No input makes the package
// panic or hang; fuzz tests keep it so.
//
// # Personal data
//
// Errors never contain names or ID numbers; log cards through their masked
// String or LogValue (package drivers).
//
// # Concurrency
//
// A Reader owns one goroutine, the port's only reader, and stops it on
// Close. Its methods may be called from several goroutines; commands run
// one at a time.
package idcard
