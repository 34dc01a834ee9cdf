package open311_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}

type service struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

func TestServices(t *testing.T) {
	s := start(t)
	var reportable int64
	s.env.DB.Raw(`SELECT count(*) FROM categories WHERE department IS NOT NULL AND active`).Scan(&reportable)

	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			res := s.get(t, "/open311/v2/services."+format)
			if res.Status != http.StatusOK {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			wantContentType(t, res, format)
			var list []service
			if format == "json" {
				res.JSON(t, &list)
			} else {
				var doc struct {
					XMLName  xml.Name  `xml:"services"`
					Services []service `xml:"service"`
				}
				decodeXML(t, res, &doc)
				list = doc.Services
				golden(t, "services.xml", res.Body)
			}
			if int64(len(list)) != reportable {
				t.Errorf("%d services, want the %d reportable categories", len(list), reportable)
			}
			byCode := map[string]service{}
			for _, sv := range list {
				byCode[sv.ServiceCode] = sv
				if sv.Type != "realtime" || sv.ServiceName == "" || sv.Group == "" || sv.Description == "" {
					t.Errorf("service %+v", sv)
				}
			}
			if _, ok := byCode["afval"]; ok {
				t.Error("main category afval is offered as a service")
			}
			litter := byCode["afval.zwerfvuil"]
			if litter.ServiceName != "Zwerfvuil" || litter.Group != "Afval" || litter.Metadata ||
				litter.Keywords != "wijkbeheer, schoon" || !strings.Contains(litter.Description, "3 werkdagen") {
				t.Errorf("afval.zwerfvuil = %+v", litter)
			}
			if lamp := byCode["licht.lamp"]; !lamp.Metadata || lamp.Group != "Straatverlichting" {
				t.Errorf("licht.lamp = %+v, want metadata (it asks a question)", lamp)
			}
			// Keywords are Dutch words, not internal codes.
			if pothole := byCode["wegen.gat"]; pothole.Keywords != "stedelijk beheer, bestrating, spoed" {
				t.Errorf("wegen.gat keywords %q", pothole.Keywords)
			}
		})
	}

	// English on request.
	for _, h := range [][]string{nil, {"Accept-Language", "en-GB,en;q=0.9"}} {
		path := "/open311/v2/services.json"
		if h == nil {
			path += "?lang=en"
		}
		res := s.get(t, path, h...)
		if !strings.Contains(string(res.Body), `"service_name":"Litter"`) || !strings.Contains(string(res.Body), `"group":"Waste"`) ||
			!strings.Contains(string(res.Body), `"keywords":"urban maintenance, paving, urgent"`) ||
			!strings.Contains(string(res.Body), `"keywords":"neighbourhood maintenance, cleanliness"`) {
			t.Errorf("English names missing (%s): %.300s", path, res.Body)
		}
	}
}

type attribute struct {
	Variable            bool   `json:"variable" xml:"variable"`
	Code                string `json:"code" xml:"code"`
	Datatype            string `json:"datatype" xml:"datatype"`
	Required            bool   `json:"required" xml:"required"`
	DatatypeDescription string `json:"datatype_description" xml:"datatype_description"`
	Order               int    `json:"order" xml:"order"`
	Description         string `json:"description" xml:"description"`
	Values              []struct {
		Key  string `json:"key" xml:"key"`
		Name string `json:"name" xml:"name"`
	} `json:"values" xml:"values>value"`
}

type definition struct {
	XMLName     xml.Name    `json:"-" xml:"service_definition"`
	ServiceCode string      `json:"service_code" xml:"service_code"`
	Attributes  []attribute `json:"attributes" xml:"attributes>attribute"`
}

func TestServiceDefinition(t *testing.T) {
	s := start(t)
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			res := s.get(t, "/open311/v2/services/licht.lamp."+format)
			if res.Status != http.StatusOK {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			wantContentType(t, res, format)
			var def definition
			if format == "json" {
				res.JSON(t, &def)
			} else {
				decodeXML(t, res, &def)
			}
			if def.ServiceCode != "licht.lamp" || len(def.Attributes) != 1 {
				t.Fatalf("definition = %+v", def)
			}
			a := def.Attributes[0]
			if !a.Variable || a.Code != "state" || a.Datatype != "singlevaluelist" || !a.Required || a.Order != 1 ||
				a.Description != "Is de lamp uit of knippert hij?" || a.DatatypeDescription == "" {
				t.Errorf("attribute = %+v", a)
			}
			var keys []string
			for _, v := range a.Values {
				keys = append(keys, v.Key+"="+v.Name)
			}
			if strings.Join(keys, ",") != "uit=uit,knippert=knippert,brandt overdag=brandt overdag" {
				t.Errorf("values = %v", keys)
			}

			// A category without questions has an empty list of attributes.
			res = s.get(t, "/open311/v2/services/afval.zwerfvuil."+format)
			if res.Status != http.StatusOK {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			if format == "json" && !strings.Contains(string(res.Body), `"attributes":[]`) {
				t.Errorf("no empty attributes list: %s", res.Body)
			}
			if format == "xml" && !strings.Contains(string(res.Body), `<attributes></attributes>`) {
				t.Errorf("no empty attributes element: %s", res.Body)
			}

			wantError(t, s.get(t, "/open311/v2/services/bestaat.niet."+format), format, 404, "bestaat.niet")
			// A main category is not a service.
			wantError(t, s.get(t, "/open311/v2/services/afval."+format), format, 404, "service_code")
		})
	}
	res := s.get(t, "/open311/v2/services/licht.lamp.json?lang=en")
	if !strings.Contains(string(res.Body), "Is the light out or flickering?") {
		t.Errorf("English question missing: %s", res.Body)
	}
}

// In English a value's name is English; its key, what a client sends, stays the
// value the answers are stored and checked with, which an English client's report
// gives as before.
func TestServiceDefinitionValuesInEnglish(t *testing.T) {
	s := start(t)
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			res := s.get(t, "/open311/v2/services/licht.lamp."+format+"?lang=en")
			var def definition
			if format == "json" {
				res.JSON(t, &def)
			} else {
				decodeXML(t, res, &def)
			}
			if len(def.Attributes) != 1 {
				t.Fatalf("definition = %+v", def)
			}
			var keys []string
			for _, v := range def.Attributes[0].Values {
				keys = append(keys, v.Key+"="+v.Name)
			}
			if got := strings.Join(keys, ","); got != "uit=out,knippert=flickering,brandt overdag=on during the day" {
				t.Errorf("English values = %s", got)
			}
		})
	}
	form := s.form("service_code", "licht.lamp", "attribute[state]", "brandt overdag")
	if res := s.post(t, "json", form, "Accept-Language", "en"); res.Status != http.StatusCreated {
		t.Errorf("English POST with a value's key = %d: %s", res.Status, res.Body)
	}
	form = s.form("service_code", "licht.lamp", "attribute[state]", "flickering")
	res := s.post(t, "json", form, "Accept-Language", "en")
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "Choose one of: uit (out), knippert (flickering), brandt overdag (on during the day).") {
		t.Errorf("English POST with a value's name = %d: %s", res.Status, res.Body)
	}
}

func TestRoutesAnswerInOpen311Format(t *testing.T) {
	s := start(t)
	for _, format := range formats {
		wantError(t, s.get(t, "/open311/v2/nope."+format), format, 404, "bestaat niet")
		res := s.do(t, "DELETE", "/open311/v2/services."+format, "", "")
		wantError(t, res, format, 405, "GET")
		if res.Header.Get("Allow") != "GET" {
			t.Errorf("Allow = %q", res.Header.Get("Allow"))
		}
		res = s.do(t, "PUT", "/open311/v2/requests."+format, "", "")
		wantError(t, res, format, 405, "POST")
		wantError(t, s.do(t, "POST", "/open311/v2/services/afval.zwerfvuil."+format, "", ""), format, 405, "GET")
	}
	// Without a suffix the spec's required format, XML, answers.
	wantError(t, s.get(t, "/open311/v2/services"), "xml", 404, ".json of .xml")
	wantError(t, s.get(t, "/open311/v2/services.csv"), "xml", 404, ".json of .xml")

	for _, format := range formats {
		res := s.get(t, "/open311/v2/discovery."+format)
		if res.Status != 200 || !strings.Contains(string(res.Body), "http://wiki.open311.org/GeoReport_v2") ||
			!strings.Contains(string(res.Body), "/open311/v2") {
			t.Errorf("discovery.%s = %d %s", format, res.Status, res.Body)
		}
		wantContentType(t, res, format)
		if en := s.get(t, "/open311/v2/discovery."+format, "Accept-Language", "en"); !strings.Contains(string(en.Body), "The municipality") ||
			en.Header.Get("Vary") != "Accept-Language" {
			t.Errorf("discovery.%s in English = %v %s", format, en.Header, en.Body)
		}
	}
}
