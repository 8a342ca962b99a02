package lineproto

import "strings"

// DeviceError is an ERR reply from a device: '@' ADDR ',' SEQ ',ERR,' Code [',' Detail].
// Match a code with errors.Is against the Err* values below (only Code is compared).
type DeviceError struct {
	Code   string
	Detail string
}

// Error describes the code, its meaning and the detail, e.g.
// "lineproto: device error RANGE (argument out of range): 0-15".
func (e *DeviceError) Error() string {
	s := "lineproto: device error " + e.Code
	if d, ok := codeText[e.Code]; ok {
		s += " (" + d + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is reports whether target is a *DeviceError with the same Code.
func (e *DeviceError) Is(target error) bool {
	t, ok := target.(*DeviceError)
	return ok && t.Code == e.Code
}

// The error codes of the protocol (PROTOCOL.md, "Errors").
var (
	ErrUnknownCommand = &DeviceError{Code: "CMD"}   // the device does not know the command
	ErrArguments      = &DeviceError{Code: "ARG"}   // wrong number or format of arguments
	ErrRange          = &DeviceError{Code: "RANGE"} // an argument is out of range (line, brightness, level)
	ErrTextTooLong    = &DeviceError{Code: "LEN"}   // the text does not fit the device
	ErrBusy           = &DeviceError{Code: "BUSY"}  // the device cannot do it now; try later
	ErrHardware       = &DeviceError{Code: "HW"}    // a hardware fault (LED module, keypad)
)

var codeText = map[string]string{
	"CMD": "unknown command", "ARG": "bad arguments", "RANGE": "argument out of range",
	"LEN": "text too long", "BUSY": "busy", "HW": "hardware fault",
}

// Errorf returns a *DeviceError with the given code and detail (for device implementations).
func Errorf(code *DeviceError, detail ...string) *DeviceError {
	return &DeviceError{Code: code.Code, Detail: strings.Join(detail, " ")}
}
