// Package web builds the explorer's static site: the page, its script and
// style (embedded from static/), Go's wasm_exec.js, and the simulator
// itself compiled to WebAssembly (web/wasm, built with the Go toolchain),
// optionally with the C lines each step cites. The site needs no server
// logic and fetches nothing from elsewhere: any static file server works.
package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"diosim/explain"
	"diosim/model"
)

//go:embed static
var static embed.FS

// WasmPackage is the import path of the explorer's WebAssembly entry.
const WasmPackage = "diosim/web/wasm"

// Files returns the embedded static files (index.html, app.js, worker.js,
// style.css).
func Files() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// Options control Build.
type Options struct {
	// ModuleDir is the root of the diosim module (where go.mod is); empty:
	// found from the working directory upwards.
	ModuleDir string
	// Go is the go command (empty: "go" on PATH).
	Go string
	// Wasm, when set, is a main.wasm already built: it is copied instead
	// of building one (tests build it once).
	Wasm string
	// Sources, when set, bundles the C lines cited by every step of every
	// version as source.json (cited lines only, no context).
	Sources *explain.Sources
}

// Build writes the site into dir (created if needed).
func Build(dir string, opt Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	err := fs.WalkDir(Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Files(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), b, 0o644)
	})
	if err != nil {
		return fmt.Errorf("writing the page: %w", err)
	}
	goCmd := opt.Go
	if goCmd == "" {
		goCmd = "go"
	}
	if err := copyWasmExec(goCmd, filepath.Join(dir, "wasm_exec.js")); err != nil {
		return err
	}
	if opt.Wasm != "" {
		b, err := os.ReadFile(opt.Wasm)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.wasm"), b, 0o644); err != nil {
			return err
		}
	} else if err := BuildWasm(goCmd, opt.ModuleDir, filepath.Join(dir, "main.wasm")); err != nil {
		return err
	}
	src := "{}"
	if opt.Sources != nil {
		b, err := json.Marshal(Excerpts(opt.Sources))
		if err != nil {
			return err
		}
		src = string(b)
	}
	return os.WriteFile(filepath.Join(dir, "source.json"), []byte(src), 0o644)
}

// BuildWasm compiles the explorer's engine to WebAssembly at out, running
// `go build` with GOOS=js GOARCH=wasm in the module directory.
func BuildWasm(goCmd, moduleDir, out string) error {
	if moduleDir == "" {
		var err error
		if moduleDir, err = FindModule(); err != nil {
			return err
		}
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	cmd := exec.Command(goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", abs, WasmPackage)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if errors.Is(err, exec.ErrNotFound) {
			msg = "the Go toolchain is needed to build the WebAssembly module"
		}
		return fmt.Errorf("go build %s (GOOS=js GOARCH=wasm): %v: %s", WasmPackage, err, strings.ReplaceAll(msg, "\n", "; "))
	}
	return nil
}

// FindModule returns the diosim module's root: the working directory or
// the nearest parent whose go.mod declares module diosim.
func FindModule() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module diosim\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("the dio-sim source tree (go.mod of module diosim) is not here or above: run from the repository")
		}
		dir = parent
	}
}

// copyWasmExec copies Go's JavaScript support file for WebAssembly:
// $GOROOT/lib/wasm/wasm_exec.js (Go 1.24 and later), else
// $GOROOT/misc/wasm/wasm_exec.js.
func copyWasmExec(goCmd, dst string) error {
	out, err := exec.Command(goCmd, "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %v (the Go toolchain is needed)", err)
	}
	root := strings.TrimSpace(string(out))
	var b []byte
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if b, err = os.ReadFile(filepath.Join(root, p)); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("wasm_exec.js not found in %s/lib/wasm or misc/wasm", root)
	}
	return os.WriteFile(dst, b, 0o644)
}

// Excerpts returns, for every location cited by a step of any version,
// the cited lines read from src (no context lines), by location string.
// Locations whose file is missing are left out.
func Excerpts(src *explain.Sources) map[string]*explain.Snippet {
	src.Context = 0
	locs := map[string]bool{}
	for _, m := range model.Versions() {
		for _, p := range m.Programs() {
			if p == nil {
				continue
			}
			for _, st := range p.Steps {
				locs[st.Loc.String()] = true
			}
		}
	}
	keys := make([]string, 0, len(locs))
	for l := range locs {
		keys = append(keys, l)
	}
	sort.Strings(keys)
	out := map[string]*explain.Snippet{}
	for _, l := range keys {
		if sn, _ := src.Snippet(l); sn != nil {
			out[l] = sn
		}
	}
	return out
}
