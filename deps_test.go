package hall_test

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

// listPackages runs `go list -deps` over the module and returns every package it reaches.
func listPackages(t *testing.T, env ...string) map[string]listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Imports,Deps", "./...")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]listedPackage{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

const module = "hall"

func inModule(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

func under(path, dir string) bool {
	return path == module+"/"+dir || strings.HasPrefix(path, module+"/"+dir+"/")
}

func isFyne(path string) bool {
	return path == "fyne.io/fyne/v2" || strings.HasPrefix(path, "fyne.io/fyne/v2/")
}

// TestImportRules enforces the import directions of ARCHITECTURE.md. Each failure says which rule
// broke and why the rule exists.
func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	type rule struct {
		applies func(pkg string) bool
		banned  func(dep string, pkgs map[string]listedPackage) bool
		why     string
		direct  bool // check direct imports only
	}
	rules := []rule{
		{
			applies: func(p string) bool { return p == module },
			banned:  func(d string, ps map[string]listedPackage) bool { return !ps[d].Standard },
			why:     "the domain (package hall) imports the standard library only, so every other part can depend on it",
		},
		{
			applies: func(p string) bool { return under(p, "drivers") },
			banned: func(d string, _ map[string]listedPackage) bool {
				return d == module || under(d, "queueserver") || under(d, "kiosk") || under(d, "counter") || isFyne(d)
			},
			why: "drivers know nothing of tickets, the server or the UI: they speak device-neutral types over io.ReadWriter",
		},
		{
			applies: func(p string) bool { return p != module+"/drivers/serialport" },
			banned:  func(d string, _ map[string]listedPackage) bool { return d == "github.com/tarm/serial" },
			why:     "only drivers/serialport may import github.com/tarm/serial, which keeps its quirks (EOF on timeout) in one place",
			direct:  true,
		},
		{
			applies: func(p string) bool { return under(p, "queueserver") },
			banned: func(d string, _ map[string]listedPackage) bool {
				return isFyne(d) || under(d, "drivers") || under(d, "assets") || under(d, "kiosk") || under(d, "counter")
			},
			why: "the server is headless and builds with CGO_ENABLED=0: no Fyne, no device drivers, no UI assets",
		},
		{
			applies: func(p string) bool { return under(p, "kiosk") || under(p, "counter") },
			banned: func(d string, _ map[string]listedPackage) bool {
				return d == "go.etcd.io/bbolt" || under(d, "queueserver/bolt") || under(d, "queueserver/hub")
			},
			why: "kiosk and counter reach the server only through the httpapi client, never its store or hub",
		},
		{
			applies: func(p string) bool { return under(p, "kiosk") && !under(p, "kiosk/cmd") },
			banned:  func(d string, _ map[string]listedPackage) bool { return d == "fyne.io/fyne/v2/app" },
			why:     "the kiosk's screens run headless under fyne/v2/test; only its thin main (kiosk/cmd/...) opens a real app",
			direct:  true,
		},
		{
			applies: func(p string) bool { return under(p, "queueserver/httpapi") },
			banned: func(d string, _ map[string]listedPackage) bool {
				return d == "go.etcd.io/bbolt" || under(d, "queueserver/bolt") || under(d, "queueserver/hub")
			},
			why: "httpapi sees only the domain's interfaces, so the wire protocol cannot depend on the store",
		},
		{
			applies: func(p string) bool { return p != module+"/kiosk/licencepdf" },
			banned: func(d string, _ map[string]listedPackage) bool {
				return strings.HasPrefix(d, "github.com/signintech/gopdf")
			},
			why:    "only kiosk/licencepdf makes PDFs (github.com/signintech/gopdf): one package per outside dependency",
			direct: true,
		},
		{
			applies: func(p string) bool { return !under(p, "kiosk") },
			banned:  func(d string, _ map[string]listedPackage) bool { return d == module+"/assets/ttf" },
			why:     "the 9 MB TrueType font is for the licence PDFs of the kiosk only; other programs use assets.CJKFont",
		},
		{
			applies: func(p string) bool { return !under(p, "queueserver/bolt") },
			banned:  func(d string, _ map[string]listedPackage) bool { return d == "go.etcd.io/bbolt" },
			why:     "only queueserver/bolt touches the bbolt file: one owner of the durable state",
			direct:  true,
		},
	}
	checked := 0
	for path, p := range pkgs {
		if !inModule(path) {
			continue
		}
		checked++
		for _, r := range rules {
			if !r.applies(path) {
				continue
			}
			deps := p.Deps
			if r.direct {
				deps = p.Imports
			}
			for _, d := range deps {
				if r.banned(d, pkgs) {
					t.Errorf("%s imports %s: %s", path, d, r.why)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("go list found no packages of the module")
	}
}

// TestServerBuildsWithoutCgo: the queue server is one static binary.
func TestServerBuildsWithoutCgo(t *testing.T) {
	if _, err := os.Stat("queueserver"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, "./queueserver/...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build ./queueserver/...: %v\n%s", err, out)
	}
}
