package backend

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"hall"
)

// jsonFields lists the JSON names of a struct's fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// openapi.json describes the inbound endpoint as served: its path, the notice's fields exactly,
// and the statuses Inbound answers.
func TestDocs_OpenAPIMatchesInbound(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	op, ok := doc.Paths[InboundPath]["post"]
	if !ok {
		t.Fatalf("openapi.json does not document POST %s", InboundPath)
	}
	for _, st := range []string{"200", "201", "400", "401", "409", "413"} {
		if _, ok := op.Responses[st]; !ok {
			t.Errorf("status %s is not documented", st)
		}
	}
	check := func(schema string, typ reflect.Type) {
		var doced []string
		for k := range doc.Components.Schemas[schema].Properties {
			doced = append(doced, k)
		}
		slices.Sort(doced)
		if want := jsonFields(typ); !slices.Equal(doced, want) {
			t.Errorf("%s documents %v, the code has %v", schema, doced, want)
		}
	}
	check("LicenceNotice", reflect.TypeOf(hall.LicenceNotice{}))
	check("LicenceField", reflect.TypeOf(hall.LicenceField{}))
	check("LicenceReply", reflect.TypeOf(LicenceReply{}))
}

// SCHEMA.md names every delivery field and every event type the platform receives.
func TestDocs_SchemaNamesEveryField(t *testing.T) {
	b, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, f := range append(jsonFields(reflect.TypeOf(Delivery{})), jsonFields(reflect.TypeOf(Batch{}))...) {
		if !strings.Contains(md, "`"+f+"`") && !strings.Contains(md, `"`+f+`"`) {
			t.Errorf("SCHEMA.md does not mention %s", f)
		}
	}
	for _, typ := range []hall.EventType{hall.EventCaseOpened, hall.EventCaseProcessing, hall.EventCaseSuspended, hall.EventCaseResumed,
		hall.EventCaseCompleted, hall.EventCaseWithdrawn, hall.EventCaseLicenceReady, hall.EventCaseHandedOver, hall.EventCaseWarning,
		hall.EventCaseOverdue, hall.EventRatingRecorded, hall.EventLicenceHandedOver} {
		if !SelectPlatform(hall.Event{Type: typ}) {
			t.Errorf("%s is documented but not delivered", typ)
		}
		if !strings.Contains(md, "`"+string(typ)+"`") {
			t.Errorf("SCHEMA.md does not list %s", typ)
		}
	}
	for _, f := range jsonFields(reflect.TypeOf(hall.Case{})) {
		if !strings.Contains(md, "`"+f+"`") {
			t.Errorf("SCHEMA.md does not describe case field %s", f)
		}
	}
}
