package idcard

import (
	"errors"
	"fmt"
)

// SW3 result codes of GA/T 467 (SW1 = SW2 = 0x00).
const (
	SWSuccess        = 0x90
	SWCardFound      = 0x9F
	SWNoCard         = 0x80
	SWSelectFailed   = 0x81
	SWReadFailed     = 0x41
	SWNoContent      = 0x91
	SWChecksum       = 0x10
	SWLength         = 0x11
	SWBadCommand     = 0x21
	SWNotAllowed     = 0x23
	SWUnknown        = 0x24
	SWAuth1          = 0x31
	SWAuth2          = 0x32
	SWAuth3          = 0x33
	SWUnknownType    = 0x40
	SWSelfTestFailed = 0x60
	SWUnauthorised   = 0x66
)

// Sentinels matched (errors.Is) by a *StatusError of the corresponding
// SW3 code.
var (
	ErrNoCard          = errors.New("idcard: no card on the reader")                  // 0x80
	ErrSelectFailed    = errors.New("idcard: select card failed")                     // 0x81
	ErrReadFailed      = errors.New("idcard: reading the card failed")                // 0x41
	ErrNoContent       = errors.New("idcard: no content")                             // 0x91
	ErrRejectedFrame   = errors.New("idcard: reader rejected our frame")              // 0x10, 0x11
	ErrCommandRefused  = errors.New("idcard: reader refused the command")             // 0x21, 0x23, 0x24
	ErrAuthentication  = errors.New("idcard: card authentication failed")             // 0x31-0x33
	ErrUnknownCardType = errors.New("idcard: unknown card type")                      // 0x40
	ErrSAM             = errors.New("idcard: SAM module failed or is not authorised") // 0x60, 0x66
	ErrStatus          = errors.New("idcard: reader reported an error")               // every non-success code
)

var statusInfo = map[byte]struct {
	text string
	err  error
}{
	SWNoCard:         {"no card (寻找证/卡未成功)", ErrNoCard},
	SWSelectFailed:   {"select failed (选取证/卡未成功)", ErrSelectFailed},
	SWReadFailed:     {"read failed (读证/卡操作失败)", ErrReadFailed},
	SWNoContent:      {"no content (证/卡中此项无内容)", ErrNoContent},
	SWChecksum:       {"checksum error in the command (校验和错)", ErrRejectedFrame},
	SWLength:         {"length error in the command (长度错)", ErrRejectedFrame},
	SWBadCommand:     {"bad command (命令错误)", ErrCommandRefused},
	SWNotAllowed:     {"command not allowed (越权操作)", ErrCommandRefused},
	SWUnknown:        {"unknown error (无法识别的错误)", ErrCommandRefused},
	SWAuth1:          {"card authentication of the SAM failed (证/卡认证机具失败)", ErrAuthentication},
	SWAuth2:          {"SAM authentication of the card failed (机具认证证/卡失败)", ErrAuthentication},
	SWAuth3:          {"information verification failed (信息验证失败)", ErrAuthentication},
	SWUnknownType:    {"unknown card type (无法识别的卡类型)", ErrUnknownCardType},
	SWSelfTestFailed: {"SAM self-test failed (自检失败)", ErrSAM},
	SWUnauthorised:   {"SAM not authorised (SAM 未经授权)", ErrSAM},
}

// StatusError is a reply whose status words say the command failed.
// errors.Is matches ErrStatus and the sentinel of its SW3 code (ErrNoCard,
// ErrReadFailed, ...); codes outside GA/T 467 match ErrStatus only.
type StatusError struct {
	SW1, SW2, SW3 byte
}

// Error gives the code and its GA/T 467 meaning.
func (e *StatusError) Error() string {
	if e.SW1 != 0 || e.SW2 != 0 {
		return fmt.Sprintf("idcard: reader status %02X %02X %02X", e.SW1, e.SW2, e.SW3)
	}
	if s, ok := statusInfo[e.SW3]; ok {
		return fmt.Sprintf("idcard: reader status %02X: %s", e.SW3, s.text)
	}
	return fmt.Sprintf("idcard: reader status %02X: unknown code", e.SW3)
}

// Is matches ErrStatus and the sentinel of the SW3 code.
func (e *StatusError) Is(target error) bool {
	if target == ErrStatus {
		return true
	}
	if e.SW1 != 0 || e.SW2 != 0 {
		return false
	}
	s, ok := statusInfo[e.SW3]
	return ok && target == s.err
}
