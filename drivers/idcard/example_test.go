package idcard_test

import (
	"context"
	"fmt"
	"time"

	"hall/drivers/idcard"
	"hall/drivers/sim"
)

// A kiosk reads cards in a loop. On hardware the port comes from
// serialport.Open(path, serialport.Options{Baud: idcard.DefaultBaud});
// here a simulated reader stands in for it.
func Example() {
	dev := sim.NewCardReader()
	dev.InsertPreset("zhang")
	r := idcard.New(sim.Pipe(dev), idcard.Options{PollInterval: 10 * time.Millisecond})
	defer r.Close() // also closes the port

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := r.NextCard(ctx)
	if err != nil {
		fmt.Println("error:", err) // show it, then call NextCard again
		return
	}
	fmt.Println(c) // printing a card masks it
	fmt.Println(c.Gender, c.Nation, c.Birth, c.Expired(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)))
	// Output:
	// Card{张* 男 汉 510***********1236}
	// 男 汉 1990-03-07 false
}
