package sim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"hall/drivers"
)

// This file simulates a resident ID card reader speaking GA/T 467 (the
// "SAM" protocol, see DEVICES.md). The frame and text encoding below are
// written from the protocol notes, independently of drivers/idcard.

var samPreamble = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

// CardFault makes the simulated reader misbehave.
type CardFault int

// Reader faults.
const (
	FaultNone        CardFault = iota
	FaultBadChecksum           // every reply carries a wrong checksum
	FaultTornFrame             // replies longer than 11 bytes stop half way
	FaultGarbage               // garbage (with a false preamble start) before every reply
	FaultReadFailed            // reading the card answers 41 (read failed)
	FaultSilent                // no reply at all
)

var faultNames = map[CardFault]string{
	FaultNone: "none", FaultBadChecksum: "checksum", FaultTornFrame: "torn",
	FaultGarbage: "garbage", FaultReadFailed: "readfail", FaultSilent: "silent",
}

// String returns the fault's name as ParseCardFault accepts it.
func (f CardFault) String() string {
	if s, ok := faultNames[f]; ok {
		return s
	}
	return fmt.Sprintf("CardFault(%d)", int(f))
}

// ParseCardFault parses a fault name: none, checksum, torn, garbage,
// readfail or silent. Errors: any other name.
func ParseCardFault(s string) (CardFault, error) {
	for f, name := range faultNames {
		if name == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("sim: unknown card reader fault %q (want none, checksum, torn, garbage, readfail or silent)", s)
}

// CardReader simulates an ID card reader. Place a card with Insert (or
// InsertForeign), lift it with Remove. Like a real reader, after a
// successful read the card is not found again until it is lifted, unless
// SetSticky(true) makes the reader keep finding it.
//
// All methods are safe for concurrent use, also while Serve runs.
type CardReader struct {
	// mu guards the fields below.
	mu       sync.Mutex
	card     *drivers.Card
	flag     rune // card-type flag at byte 248; 0 for a resident card
	spent    bool // the card was read and has not been lifted since
	sticky   bool
	fault    CardFault
	reads    int
	commands int
	delay    time.Duration
}

// NewCardReader returns a reader with no card.
func NewCardReader() *CardReader { return &CardReader{} }

// Insert places card c on the reader (replacing any other).
func (s *CardReader) Insert(c drivers.Card) { s.insert(c, 0) }

// InsertForeign places a card with card-type flag (such as 'I' for a
// foreigner's permanent residence card, 'J' for a HK/Macau/Taiwan
// residence card) at byte 248 of its text block.
func (s *CardReader) InsertForeign(c drivers.Card, flag rune) { s.insert(c, flag) }

func (s *CardReader) insert(c drivers.Card, flag rune) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Photo = bytes.Clone(c.Photo)
	s.card, s.flag, s.spent = &c, flag, false
}

// Remove lifts the card off the reader.
func (s *CardReader) Remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card, s.flag, s.spent = nil, 0, false
}

// SetFault sets how the reader misbehaves (FaultNone: not at all).
func (s *CardReader) SetFault(f CardFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// SetSticky makes the reader keep finding a card that was read (some
// readers do) instead of waiting for it to be lifted.
func (s *CardReader) SetSticky(sticky bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sticky = sticky
}

// SetReadDelay makes reading a card take d, as a real reader's ~1 s.
func (s *CardReader) SetReadDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// CardReaderState is a snapshot of the simulated reader.
type CardReaderState struct {
	Card     string `json:"card"` // masked description, "" without a card
	Foreign  bool   `json:"foreign"`
	Spent    bool   `json:"spent"` // read since placed
	Sticky   bool   `json:"sticky"`
	Fault    string `json:"fault"`
	Reads    int    `json:"reads"`    // successful text+photo reads
	Commands int    `json:"commands"` // well-formed commands received
}

// State returns a snapshot.
func (s *CardReader) State() CardReaderState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := CardReaderState{Spent: s.spent, Sticky: s.sticky, Fault: s.fault.String(), Reads: s.reads, Commands: s.commands, Foreign: s.flag != 0}
	if s.card != nil {
		st.Card = s.card.String()
	}
	return st
}

// Serve implements Device.
func (s *CardReader) Serve(ctx context.Context, port io.ReadWriter) error {
	var buf []byte
	b := make([]byte, 512)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := port.Read(b)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		buf = append(buf, b[:n]...)
		for {
			var reply []byte
			var used int
			reply, used = s.handle(buf)
			if used == 0 {
				break
			}
			buf = buf[used:]
			if reply == nil {
				continue
			}
			if err := s.send(ctx, port, reply); err != nil {
				return err
			}
		}
		if len(buf) > 4096 { // never grow without bound on noise
			buf = buf[len(buf)-16:]
		}
	}
}

// handle takes one command from buf and returns the reply frame (nil: no
// reply) and how many bytes it used (0: need more).
func (s *CardReader) handle(buf []byte) (reply []byte, used int) {
	i := bytes.Index(buf, samPreamble)
	if i < 0 {
		if len(buf) > 4 {
			return nil, len(buf) - 4
		}
		return nil, 0
	}
	if i > 0 {
		return nil, i
	}
	if len(buf) < 7 {
		return nil, 0
	}
	l := int(buf[5])<<8 | int(buf[6])
	if l < 3 || l > 64 {
		return samFrame(0x11, nil), 1 // length error
	}
	if len(buf) < 7+l {
		return nil, 0
	}
	f := buf[:7+l]
	var x byte
	for _, c := range f[5 : len(f)-1] {
		x ^= c
	}
	if x != f[len(f)-1] {
		return samFrame(0x10, nil), len(f) // checksum error
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands++
	return s.answerLocked(f[7], f[8]), len(f)
}

// answerLocked builds the reply to CMD PARA. s.mu is held.
func (s *CardReader) answerLocked(cmd, para byte) []byte {
	available := s.card != nil && (!s.spent || s.sticky)
	switch {
	case cmd == 0x10 && para == 0xFF, cmd == 0x11 && para == 0xFF:
		return samFrame(0x90, nil)
	case cmd == 0x12 && para == 0xFF:
		return samFrame(0x90, []byte("SIM-SAM-00000001"))
	case cmd == 0x20 && para == 0x01:
		if available {
			return samFrame(0x9F, make([]byte, 4))
		}
		return samFrame(0x80, nil)
	case cmd == 0x20 && para == 0x02:
		if available {
			return samFrame(0x90, make([]byte, 8))
		}
		return samFrame(0x81, nil)
	case cmd == 0x30 && para == 0x01:
		if !available || s.fault == FaultReadFailed {
			return samFrame(0x41, nil)
		}
		data := []byte{0x01, 0x00, 0x04, 0x00} // text 256, photo 1024
		data = append(data, EncodeCardText(*s.card, s.flag)...)
		data = append(data, simPhoto(s.card.Photo)...)
		if s.fault == FaultNone || s.fault == FaultGarbage {
			s.spent = true
			s.reads++
		}
		return samFrame(0x90, data)
	case cmd == 0x30 && para == 0x03:
		// Asked right after reading the text, so a spent card still counts.
		if s.card == nil || s.card.NewAddress == "" {
			return samFrame(0x91, nil)
		}
		return samFrame(0x90, utf16Field(s.card.NewAddress, 70))
	}
	return samFrame(0x21, nil) // bad command
}

// send writes reply with the current fault applied.
func (s *CardReader) send(ctx context.Context, port io.Writer, reply []byte) error {
	s.mu.Lock()
	fault, delay := s.fault, s.delay
	s.mu.Unlock()
	if delay > 0 && len(reply) > 100 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	switch fault {
	case FaultSilent:
		return nil
	case FaultBadChecksum:
		reply = bytes.Clone(reply)
		reply[len(reply)-1] ^= 0x5A
	case FaultTornFrame:
		if len(reply) > 11 {
			reply = reply[:len(reply)/2]
		}
	case FaultGarbage:
		reply = append([]byte{0x00, 0xFF, 0xAA, 0xAA, 0x13, 0x96, 0x69, 0xAA}, reply...)
	}
	_, err := port.Write(reply)
	return err
}

// samFrame builds a reader frame: preamble, LEN, 00 00 sw3, data, XOR.
func samFrame(sw3 byte, data []byte) []byte {
	l := 3 + len(data) + 1
	f := append(bytes.Clone(samPreamble), byte(l>>8), byte(l), 0x00, 0x00, sw3)
	f = append(f, data...)
	var x byte
	for _, c := range f[5:] {
		x ^= c
	}
	return append(f, x)
}

// utf16Field encodes s as UTF-16LE padded with spaces (or cut) to size
// bytes.
func utf16Field(s string, size int) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 0, size)
	for _, c := range u {
		if len(out)+2 > size {
			break
		}
		out = append(out, byte(c), byte(c>>8))
	}
	for len(out)+2 <= size {
		out = append(out, ' ', 0)
	}
	return out
}

func yyyymmdd(d drivers.Date) string {
	return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// EncodeCardText builds the 256-byte text block of c as a card holds it
// (UTF-16LE fields padded with spaces), with card-type flag at byte 248
// (0: a resident ID card, space there).
func EncodeCardText(c drivers.Card, flag rune) []byte {
	to := "长期"
	if !c.ValidTo.IsZero() {
		to = yyyymmdd(c.ValidTo)
	}
	var t []byte
	t = append(t, utf16Field(c.Name, 30)...)
	t = append(t, utf16Field(fmt.Sprint(int(c.Gender)), 2)...)
	t = append(t, utf16Field(fmt.Sprintf("%02d", int(c.Nation)), 4)...)
	t = append(t, utf16Field(yyyymmdd(c.Birth), 16)...)
	t = append(t, utf16Field(c.Address, 70)...)
	t = append(t, utf16Field(c.Number, 36)...)
	t = append(t, utf16Field(c.Authority, 30)...)
	t = append(t, utf16Field(yyyymmdd(c.ValidFrom), 16)...)
	t = append(t, utf16Field(to, 16)...)
	t = append(t, utf16Field("", 36)...)
	if flag != 0 {
		t[248], t[249] = byte(flag), byte(flag>>8)
	}
	return t
}

// simPhoto returns the 1024 photo bytes: the card's own, or a fixed
// stand-in (real photos are WLT, decodable only by vendor libraries).
func simPhoto(p []byte) []byte {
	out := make([]byte, 1024)
	if len(p) > 0 {
		copy(out, p)
		return out
	}
	copy(out, "WLT-SIMULATED-PHOTO")
	for i := 32; i < len(out); i++ {
		out[i] = byte(i * 7)
	}
	return out
}

// idCheck returns an 18-character ID number for 17 digits (GB 11643).
func idCheck(body17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body17 {
		sum += int(c-'0') * w[i]
	}
	return body17 + string("10X98765432"[sum%11])
}

func day(y int, m time.Month, d int) drivers.Date { return drivers.Date{Year: y, Month: m, Day: d} }

// CardPreset is a ready-made card for tests and devicesim.
type CardPreset struct {
	Card drivers.Card
	// Flag is the card-type flag (0 for a resident ID card).
	Flag rune
	// About says what the preset is for.
	About string
}

// CardPresets are the cards devicesim can place. All ID numbers are made
// up and pass the GB 11643 check unless the preset says otherwise.
var CardPresets = map[string]CardPreset{
	"zhang": {About: "张三, man, 汉, born 1990, valid to 2036", Card: drivers.Card{
		Name: "张三", Gender: drivers.Male, Nation: 1, Birth: day(1990, 3, 7),
		Address: "四川省成都市武侯区人民南路四段1号", Number: idCheck("51010719900307123"),
		Authority: "成都市公安局武侯区分局", ValidFrom: day(2016, 5, 10), ValidTo: day(2036, 5, 10)}},
	"li": {About: "李梅, woman, 回, long-term validity, appended address", Card: drivers.Card{
		Name: "李梅", Gender: drivers.Female, Nation: 3, Birth: day(1968, 11, 30),
		Address: "宁夏回族自治区银川市兴庆区解放东街88号", Number: idCheck("64010419681130004"),
		Authority: "银川市公安局兴庆区分局", ValidFrom: day(2010, 1, 15),
		NewAddress: "宁夏回族自治区银川市金凤区北京中路1号"}},
	"elder": {About: "王德福, 82-year-old man (priority by age)", Card: drivers.Card{
		Name: "王德福", Gender: drivers.Male, Nation: 1, Birth: day(1943, 8, 1),
		Address: "北京市东城区东华门街道1号", Number: idCheck("11010119430801003"),
		Authority: "北京市公安局东城分局", ValidFrom: day(2008, 8, 8)}},
	"rare": {About: "name with a character outside GBK (㛃) and a minority nation", Card: drivers.Card{
		Name: "阿依㛃", Gender: drivers.Female, Nation: 5, Birth: day(2001, 2, 28),
		Address: "新疆维吾尔自治区乌鲁木齐市天山区解放北路2号", Number: idCheck("65010220010228002"),
		Authority: "乌鲁木齐市公安局天山区分局", ValidFrom: day(2019, 3, 1), ValidTo: day(2029, 3, 1)}},
	"expired": {About: "赵六, card expired in 2020", Card: drivers.Card{
		Name: "赵六", Gender: drivers.Male, Nation: 1, Birth: day(1985, 6, 15),
		Address: "广东省广州市越秀区北京路3号", Number: idCheck("44010419850615001"),
		Authority: "广州市公安局越秀区分局", ValidFrom: day(2010, 4, 1), ValidTo: day(2020, 4, 1)}},
	"badnumber": {About: "孙七, ID number with a wrong check digit (invalid card data)", Card: drivers.Card{
		Name: "孙七", Gender: drivers.Male, Nation: 1, Birth: day(1975, 9, 9),
		Address: "江苏省南京市玄武区中山路4号", Number: badCheck(idCheck("32010219750909001")),
		Authority: "南京市公安局玄武分局", ValidFrom: day(2015, 9, 9), ValidTo: day(2035, 9, 9)}},
	"foreign": {About: "foreigner's permanent residence card (flag I, refused)", Flag: 'I', Card: drivers.Card{
		Name: "SMITH JOHN", Gender: drivers.Male, Nation: 1, Birth: day(1980, 1, 1),
		Number: idCheck("91011019800101001"), ValidFrom: day(2020, 1, 1), ValidTo: day(2030, 1, 1)}},
	"hkmotw": {About: "HK/Macau/Taiwan residence card (flag J, refused)", Flag: 'J', Card: drivers.Card{
		Name: "陈大文", Gender: drivers.Male, Nation: 1, Birth: day(1979, 7, 1),
		Address: "广东省深圳市福田区福华路5号", Number: idCheck("81000019790701001"),
		Authority: "深圳市公安局", ValidFrom: day(2019, 7, 1), ValidTo: day(2024, 7, 1)}},
}

// badCheck replaces the check character with a wrong one.
func badCheck(n string) string {
	c := n[17]
	if c == '0' {
		return n[:17] + "1"
	}
	return n[:17] + "0"
}

// PresetNames returns the names of CardPresets, sorted.
func PresetNames() []string {
	var names []string
	for n := range CardPresets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// InsertPreset places the named preset card. Errors: an unknown name.
func (s *CardReader) InsertPreset(name string) error {
	p, ok := CardPresets[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("sim: no card preset %q (have %s)", name, strings.Join(PresetNames(), ", "))
	}
	s.insert(p.Card, p.Flag)
	return nil
}
