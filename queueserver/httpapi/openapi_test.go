package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

type openAPIDocument struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		OperationID string `json:"operationId"`
		Roles       []Role `json:"x-roles"`
		Security    []any  `json:"security"`
		Parameters  []struct {
			Name string `json:"name"`
			In   string `json:"in"`
		} `json:"parameters"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

// TestOpenAPI_DescribesEveryRoute keeps openapi.json true: every registered route is documented
// with the same method, path parameters and roles (x-roles), public routes are marked as needing
// no token, and nothing is documented that is not served.
func TestOpenAPI_DescribesEveryRoute(t *testing.T) {
	var doc openAPIDocument
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	s := NewServer(Config{})
	served := map[string]bool{}
	for _, rt := range s.Routes() {
		key := strings.ToLower(rt.Method) + " " + rt.Pattern
		served[key] = true
		op, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s is served but not documented", rt.Method, rt.Pattern)
			continue
		}
		if !slices.Equal(op.Roles, rt.Roles) {
			t.Errorf("%s %s: documented roles %v, served roles %v", rt.Method, rt.Pattern, op.Roles, rt.Roles)
		}
		if rt.Allows(RolePublic) != (len(op.Security) > 0) {
			t.Errorf("%s %s: public access and the security override disagree", rt.Method, rt.Pattern)
		}
		var pathParams []string
		for _, p := range op.Parameters {
			if p.In == "path" {
				pathParams = append(pathParams, "{"+p.Name+"}")
			}
		}
		for _, seg := range strings.Split(rt.Pattern, "/") {
			if strings.HasPrefix(seg, "{") && !slices.Contains(pathParams, seg) {
				t.Errorf("%s %s: path parameter %s is not documented", rt.Method, rt.Pattern, seg)
			}
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s %s: no responses documented", rt.Method, rt.Pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[method+" "+path] {
				t.Errorf("%s %s is documented but not served", strings.ToUpper(method), path)
			}
		}
	}
	// Every schema reference resolves.
	for _, ref := range strings.Split(string(openAPIDoc), `"$ref": "#/components/schemas/`)[1:] {
		name := ref[:strings.IndexByte(ref, '"')]
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("schema %s is referenced but not defined", name)
		}
	}
}

func TestStatusTable_RoundTrips(t *testing.T) {
	for code, status := range statusOf {
		if StatusOf(code, "") != status || CodeOf(status) != code {
			t.Errorf("%s ↔ %d does not round-trip", code, status)
		}
	}
	if StatusOf("invalid", reasonBodyTooLarge) != 413 || CodeOf(413) != "invalid" {
		t.Error("body_too_large is not 413 ↔ invalid")
	}
	if StatusOf("no_such_code", "") != 500 {
		t.Error("an unknown code is not 500")
	}
}
