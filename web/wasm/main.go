//go:build js && wasm

// Command wasm is the explorer's engine, compiled to WebAssembly and run in
// a Web Worker of the page (static/worker.js). It exposes one JavaScript
// function, dioSimCall(op, argsJSON) -> resultJSON, over one
// explorer.Session; a hint search posts {type: "progress", ...} messages
// to the page while it runs.
package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"

	"diosim/scheduler"
	"diosim/web/explorer"
)

var sess *explorer.Session

type args struct {
	Version   string `json:"version"`
	Scenario  string `json:"scenario"`
	Link      string `json:"link"`
	Trace     string `json:"trace"`
	Actor     int    `json:"actor"`
	Choice    int    `json:"choice"`
	Auto      bool   `json:"auto"`
	Prop      string `json:"prop"`
	MaxStates int64  `json:"maxStates"`
}

func call(op string, a args) (any, error) {
	switch op {
	case "catalog":
		return explorer.NewCatalog(), nil
	case "init":
		x, err := explorer.New(a.Version, a.Scenario)
		if err != nil {
			return nil, err
		}
		sess = x
		if a.Auto {
			sess.AutoRun()
		}
		return sess.View()
	case "open":
		x, err := explorer.Open(a.Link)
		if err != nil {
			return nil, err
		}
		sess = x
		if a.Auto && len(x.Moves()) == 0 {
			sess.AutoRun()
		}
		return sess.View()
	case "trace":
		x, err := explorer.FromTrace(a.Trace)
		if err != nil {
			return nil, err
		}
		sess = x
		return sess.View()
	}
	if sess == nil {
		return nil, fmt.Errorf("no scenario open")
	}
	switch op {
	case "view":
		return sess.View()
	case "move":
		if err := sess.Move(a.Actor, a.Choice, a.Auto); err != nil {
			return nil, err
		}
		return sess.View()
	case "autorun":
		sess.AutoRun()
		return sess.View()
	case "undo":
		sess.Undo()
		return sess.View()
	case "redo":
		sess.Redo()
		return sess.View()
	case "hint":
		post := js.Global().Get("postMessage")
		return sess.Hint(a.Prop, a.MaxStates, func(p scheduler.Progress) {
			post.Invoke(map[string]any{"type": "progress", "states": p.States, "depth": p.Depth, "ms": p.Elapsed.Milliseconds()})
		})
	case "savetrace":
		return sess.Trace()
	}
	return nil, fmt.Errorf("unknown operation %q", op)
}

func main() {
	js.Global().Set("dioSimCall", js.FuncOf(func(this js.Value, in []js.Value) any {
		var a args
		op := ""
		if len(in) > 0 {
			op = in[0].String()
		}
		if len(in) > 1 && in[1].Type() == js.TypeString {
			if err := json.Unmarshal([]byte(in[1].String()), &a); err != nil {
				return `{"error":` + quote(err.Error()) + `}`
			}
		}
		res, err := call(op, a)
		if err != nil {
			return `{"error":` + quote(err.Error()) + `}`
		}
		b, err := json.Marshal(map[string]any{"result": res})
		if err != nil {
			return `{"error":` + quote(err.Error()) + `}`
		}
		return string(b)
	}))
	js.Global().Call("postMessage", map[string]any{"type": "ready"})
	select {}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
