package main

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"hall"
	"hall/queueserver/bolt"
)

// deviceHealthCollector exports the latest device health reports at scrape time: one series per
// device, component and status, 1 for the status the component is in and 0 for the others, so
// that an alert can fire on hall_device_health{status="fault"} == 1.
type deviceHealthCollector struct {
	store *bolt.Store
	desc  *prometheus.Desc
}

func newDeviceHealthCollector(store *bolt.Store) *deviceHealthCollector {
	return &deviceHealthCollector{store: store, desc: prometheus.NewDesc("hall_device_health",
		"Latest reported state of each device component (1 for the current status).", []string{"device", "component", "status", "reason"}, nil)}
}

func (c *deviceHealthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *deviceHealthCollector) Collect(ch chan<- prometheus.Metric) {
	hs, err := c.store.DeviceHealth(context.Background())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, h := range hs {
		for _, s := range []hall.HealthStatus{hall.HealthOK, hall.HealthWarning, hall.HealthFault} {
			v, reason := 0.0, ""
			if s == h.Status {
				v, reason = 1, h.Reason
			}
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v, h.DeviceID, h.Component, string(s), reason)
		}
	}
}
