package licencepdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hall"
)

func sample() Print {
	return Print{
		Licence: hall.Licence{
			ID: "BDC-2026-0001", Title: "不动产权证书", Holder: hall.Person{Name: "王㛃", MaskedID: "110***********0011"},
			Issuer: "市自然资源和规划局", IssuedAt: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC),
			Fields: []hall.LicenceField{
				{Label: "坐落", Value: "锦江区红星路一段 1 号 3 栋 2 单元 1201 室（这是一段很长的地址，用来检查换行是否正确，不会超出页面右边的边框）"},
				{Label: "面积", Value: "89.50 平方米"},
				{Label: "用途", Value: "住宅"},
			},
			VerifyCode: "0123456789abcdef0123456789abcdef",
		},
		VerifyURL: "http://hall.local:8080/api/v1/licences/verify/0123456789abcdef0123456789abcdef",
		KioskID:   "kiosk-1",
		PrintedAt: time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC),
	}
}

// needTool skips when a poppler tool is missing outside CI; `make test` installs them.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (poppler-utils)", name)
		}
		t.Skipf("%s not installed (poppler-utils)", name)
	}
	return p
}

// The PDF's text, as pdftotext extracts it, has the title, the holder (rare character 㛃
// included), every field, the issuer, the date and the verification footer; one A4 page.
func TestMake_TextAndPage(t *testing.T) {
	pdf, err := Make(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "licence.pdf")
	os.WriteFile(path, pdf, 0o644)
	out, err := exec.Command(needTool(t, "pdftotext"), "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"不动产权证书", "BDC-2026-0001", "王㛃", "110***********0011", "坐落", "锦江区红星路一段", "边框", "89.50 平方米",
		"市自然资源和规划局", "2026年11月20日", "扫码核验", "kiosk-1", "2026-11-23 10:30:00"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, text)
		}
	}
	info, err := exec.Command(needTool(t, "pdfinfo"), path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "Pages:           1") || !strings.Contains(string(info), "(A4)") {
		t.Fatalf("pdfinfo:\n%s", info)
	}
	fonts, _ := exec.Command(needTool(t, "pdffonts"), path).Output()
	if !strings.Contains(string(fonts), "CID TrueType      Identity-H       yes") {
		t.Fatalf("the font is not embedded:\n%s", fonts)
	}
	if len(pdf) > 200<<10 {
		t.Fatalf("the PDF is %d bytes: the font was not subset", len(pdf))
	}
	if os.Getenv("LICENCEPDF_KEEP") != "" {
		os.WriteFile(os.Getenv("LICENCEPDF_KEEP"), pdf, 0o644)
	}
}

func TestMake_RefusesNoTitle(t *testing.T) {
	p := sample()
	p.Licence.Title = " "
	if _, err := Make(p); err == nil {
		t.Fatal("made a licence without a title")
	}
}
