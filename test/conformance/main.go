// Command conformance renders every case of cases/*.json with Go's text/template and sprig
// (missingkey=zero, data decoded with json.Decoder.UseNumber) and writes the results to golden.json,
// the reference the TypeScript engine is compared with.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/Masterminds/sprig/v3"
)

type testCase struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
	// DataRef names a shared data file, data/<name>.json, used instead of Data.
	DataRef string `json:"dataRef,omitempty"`
	// TemplateName overrides the template's name (default "tpl").
	TemplateName string `json:"templateName,omitempty"`
}

type result struct {
	ID     string    `json:"id"`
	Output *goString `json:"output,omitempty"`
	Error  *goString `json:"error,omitempty"`
}

// goString is a Go string written to JSON byte for byte: valid UTF-8 as encoding/json writes it, and
// every byte that is not valid UTF-8 as the escape \udcXX (XX the byte), a lone surrogate that JSON.parse
// keeps. That is the TypeScript engine's own form of raw bytes (src/template/encoding.ts), so outputs
// compare byte for byte (encoding/json would have replaced each invalid byte with U+FFFD).
type goString string

func (s goString) MarshalJSON() ([]byte, error) {
	var out bytes.Buffer
	out.WriteByte('"')
	str := string(s)
	for len(str) > 0 {
		i := 0
		for i < len(str) {
			r, w := utf8.DecodeRuneInString(str[i:])
			if r == utf8.RuneError && w == 1 {
				break
			}
			i += w
		}
		if i > 0 {
			var chunk bytes.Buffer
			enc := json.NewEncoder(&chunk)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(str[:i]); err != nil {
				return nil, err
			}
			b := bytes.TrimSpace(chunk.Bytes())
			out.Write(b[1 : len(b)-1])
			str = str[i:]
			continue
		}
		fmt.Fprintf(&out, "\\u%04x", 0xdc00+int(str[0]))
		str = str[1:]
	}
	out.WriteByte('"')
	return out.Bytes(), nil
}

func strp(s string) *goString {
	g := goString(s)
	return &g
}

// fixedNow keeps now/date deterministic; the TypeScript test injects the same instant.
var errEnv = errors.New("env is disabled: templates cannot read the environment")

var fixedNow = time.Date(2024, 3, 5, 7, 8, 9, 123456789, time.UTC)

func funcs() template.FuncMap {
	f := sprig.TxtFuncMap()
	f["now"] = func() time.Time { return fixedNow }
	f["uuidv4"] = func() string { return "00000000-0000-4000-8000-000000000000" }
	// env and expandenv must never read the environment; the TypeScript engine refuses them.
	f["env"] = func(string) (string, error) { return "", errEnv }
	f["expandenv"] = func(string) (string, error) { return "", errEnv }
	// Helm's required, which the TypeScript engine provides too.
	f["required"] = func(msg string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(msg)
		} else if s, ok := val.(string); ok && s == "" {
			return val, errors.New(msg)
		}
		return val, nil
	}
	return f
}

func render(c testCase) result {
	name := c.TemplateName
	if name == "" {
		name = "tpl"
	}
	var data interface{}
	raw := []byte(c.Data)
	if c.DataRef != "" {
		b, err := os.ReadFile(filepath.Join("data", c.DataRef+".json"))
		if err != nil {
			return result{Error: strp("bad case data: " + err.Error())}
		}
		raw = b
	}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return result{Error: strp("bad case data: " + err.Error())}
		}
	}
	t, err := template.New(name).Option("missingkey=zero").Funcs(funcs()).Parse(c.Template)
	if err != nil {
		return result{Error: strp(err.Error())}
	}
	var out strings.Builder
	if err := t.Execute(&out, data); err != nil {
		return result{Error: strp(err.Error())}
	}
	return result{Output: strp(out.String())}
}

func main() {
	time.Local = time.UTC
	// -stdin: render the cases of a JSON array read from stdin, ids being their names (the fuzz test
	// sends thousands of generated cases per run this way).
	if len(os.Args) > 1 && os.Args[1] == "-stdin" {
		raw, err := io.ReadAll(os.Stdin)
		if err != nil {
			panic(err)
		}
		var cases []testCase
		if err := json.Unmarshal(raw, &cases); err != nil {
			fmt.Fprintf(os.Stderr, "stdin: %v\n", err)
			os.Exit(1)
		}
		results := make([]result, 0, len(cases))
		for _, c := range cases {
			r := render(c)
			r.ID = c.Name
			results = append(results, r)
		}
		write(results)
		return
	}
	dir := "cases"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		panic(err)
	}
	sort.Strings(files)
	var results []result
	seen := map[string]bool{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			panic(err)
		}
		var cases []testCase
		if err := json.Unmarshal(raw, &cases); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			os.Exit(1)
		}
		group := strings.TrimSuffix(filepath.Base(file), ".json")
		for _, c := range cases {
			id := group + "/" + c.Name
			if seen[id] {
				fmt.Fprintf(os.Stderr, "duplicate case %s\n", id)
				os.Exit(1)
			}
			seen[id] = true
			r := render(c)
			r.ID = id
			results = append(results, r)
		}
	}
	write(results)
}

func write(results []result) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		panic(err)
	}
}
