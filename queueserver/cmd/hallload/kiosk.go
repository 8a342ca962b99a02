package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"time"

	"hall"
	"hall/queueserver/httpapi"
)

// rawKiosk issues tickets over one keep-alive HTTP/1.1 connection of its own, writing the
// request and reading the answer by hand. The requests are what a kiosk sends (JSON body,
// bearer token, a fresh Idempotency-Key each); only net/http's client machinery — two
// goroutines and several allocations per request — is left out, because on a shared 2-core
// machine it costs more CPU than the server spends on the request.
type rawKiosk struct {
	addr, host, token string
	rng               *rand.Rand
	conn              net.Conn
	r                 *bufio.Reader
	req, body         bytes.Buffer
}

func newRawKiosk(baseURL, token string, seed uint64) (*rawKiosk, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	return &rawKiosk{addr: u.Host, host: u.Host, token: token, rng: rand.New(rand.NewPCG(seed, 2))}, nil
}

// issue takes a tap ticket for service and checks the answer: 201 with the ticket's id.
func (k *rawKiosk) issue(service string) error {
	if k.conn == nil {
		c, err := net.Dial("tcp", k.addr)
		if err != nil {
			return err
		}
		k.conn, k.r = c, bufio.NewReaderSize(c, 8192)
	}
	var key [16]byte
	for i := 0; i < 16; i += 8 {
		v := k.rng.Uint64()
		for j := range 8 {
			key[i+j] = byte(v >> (8 * j))
		}
	}
	k.body.Reset()
	json.NewEncoder(&k.body).Encode(hall.IssueRequest{ServiceID: service, Channel: hall.ChannelTap})
	k.req.Reset()
	fmt.Fprintf(&k.req, "POST /api/v1/tickets HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nAccept-Language: zh-CN\r\nIdempotency-Key: %s\r\nContent-Length: %d\r\n\r\n",
		k.host, k.token, hex.EncodeToString(key[:]), k.body.Len())
	k.req.Write(k.body.Bytes())
	if _, err := k.conn.Write(k.req.Bytes()); err != nil {
		k.close()
		return err
	}
	status, body, err := k.readResponse()
	if err != nil {
		k.close()
		return err
	}
	if status != 201 {
		var eb httpapi.ErrorBody
		json.Unmarshal(body, &eb)
		return fmt.Errorf("status %d: %s/%s %s", status, eb.Code, eb.Reason, eb.Message)
	}
	if !bytes.Contains(body, []byte(`"id":"`)) {
		return fmt.Errorf("a 201 without a ticket: %.80s", body)
	}
	return nil
}

// readResponse reads one answer: its status and body (Content-Length framed; the server sends
// no chunked answers to these requests).
func (k *rawKiosk) readResponse() (int, []byte, error) {
	k.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := k.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("malformed status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("malformed status line %q", line)
	}
	length := -1
	for {
		h, err := k.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if ok && bytes.EqualFold(name, []byte("Content-Length")) {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil {
				return 0, nil, fmt.Errorf("malformed Content-Length %q", value)
			}
		}
	}
	if length < 0 {
		return 0, nil, errors.New("an answer without Content-Length")
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(k.r, body); err != nil {
		return 0, nil, err
	}
	return status, body, nil
}

func (k *rawKiosk) close() {
	if k.conn != nil {
		k.conn.Close()
		k.conn = nil
	}
}
