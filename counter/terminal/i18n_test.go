package terminal

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestI18n_EveryKeyTranslated: every text key the package's code asks for (tr, text, L) has a
// Chinese and an English text with the same format verbs, so that no key shows up raw.
func TestI18n_EveryKeyTranslated(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	use := regexp.MustCompile(`(?:\btr\([^,()]+, |\.text\(|\bL\(|\btext\()"([a-z0-9_]+)"`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(src), -1) {
			seen++
			if _, ok := texts[m[1]]; !ok {
				t.Errorf("%s: text key %q has no translation", f, m[1])
			}
		}
	}
	if seen < 50 {
		t.Fatalf("only %d uses of text keys found: the pattern is stale", seen)
	}
	verbs := regexp.MustCompile(`%[a-z]`)
	for k, v := range texts {
		if v[0] == "" || v[1] == "" {
			t.Errorf("%q lacks a language: %q", k, v)
		}
		if a, b := verbs.FindAllString(v[0], -1), verbs.FindAllString(v[1], -1); strings.Join(a, "") != strings.Join(b, "") {
			t.Errorf("%q: verbs %v in Chinese, %v in English", k, a, b)
		}
	}
}
