package barcode_test

import (
	"context"
	"fmt"
	"time"

	"hall/drivers/barcode"
	"hall/drivers/sim"
)

// A counter waits for scans. On hardware the port comes from
// serialport.Open(path, serialport.Options{Baud: barcode.DefaultBaud}).
func Example() {
	dev := sim.NewScanner()
	s := barcode.New(sim.Pipe(dev), barcode.Options{})
	defer s.Close()

	dev.Scan("HALL-A001-7")
	dev.Scan("HALL-A001-7") // the same code again at once: a double read, dropped
	dev.Scan("HALL-B002-5")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 2 {
		sc, err := s.NextScan(ctx)
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(sc.Code)
	}
	// Output:
	// HALL-A001-7
	// HALL-B002-5
}
