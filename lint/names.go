package lint

import (
	"regexp"
	"strconv"
	"strings"
)

// Name is one C-looking name that a step's text mentions.
type Name struct {
	Ident string
	// Label is set when every mention is written "ident: ..." — the
	// statement's context (the function it is in, or a C label such as
	// "out:"), not a name the statement itself uses.
	Label bool
}

// Cite is a location written inside a step's text, such as
// "(fs/direct-io.c:152-163)": the text points at other lines of a file.
type Cite struct {
	File string // path as written
	Ver  string // version after "@", or ""
	Line int
	End  int
}

func (c Cite) String() string {
	s := c.File
	if c.Ver != "" {
		s += "@" + c.Ver
	}
	s += ":" + strconv.Itoa(c.Line)
	if c.End != c.Line {
		s += "-" + strconv.Itoa(c.End)
	}
	return s
}

var (
	// a file path or name with an optional version and line range
	fileRef = regexp.MustCompile(`((?:[\w-]+/)*[\w-]+\.[ch])\b(?:@([\w.]+))?(?::(\d+)(?:-(\d+))?)?`)
	// a bare citation such as "after:165-180"
	lineRef = regexp.MustCompile(`\b[A-Za-z][\w.]*:\d+(?:-\d+)?`)
	// a manual-page reference such as "read(2)"
	manRef = regexp.MustCompile(`\b\w+\(\d\)`)
)

// stopWords are words that can look like C in prose but name nothing the
// cited lines must contain: C keywords (the text paraphrases control flow)
// and English abbreviations. Upper-case acronyms used as words are in
// stopCaps.
var stopWords = map[string]bool{
	"if": true, "else": true, "while": true, "for": true, "do": true, "switch": true,
	"case": true, "return": true, "goto": true, "break": true, "continue": true,
	"sizeof": true, "struct": true, "union": true, "enum": true, "unsigned": true,
	"signed": true, "int": true, "long": true, "short": true, "char": true,
	"void": true, "const": true, "static": true, "volatile": true,
	"e": true, "g": true, "i": true, "eg": true, "ie": true, "etc": true, "vs": true,
	"userspace": true,
}

var stopCaps = map[string]bool{
	"AIO": true, "XFS": true, "EOF": true, "DIO": true, "BIO": true, "CPU": true,
	"API": true, "LKML": true, "POSIX": true, "SMP": true, "FS": true, "VFS": true,
	"NB": true, "TODO": true, "IO": true, "OK": true, "UTC": true,
}

// Names returns the C-looking names that text mentions, each once, in
// order of first mention. A word counts as C when it contains "_"
// (ki_pos, i_size_read), is joined to another by "->" or "." (dio->iocb,
// map_bh.b_private), is followed at once by "(" (kfree(dio)), or is an
// upper-case constant of three or more characters (READ, EIOCBQUEUED).
// File names, citations ("fs/aio.c:729", "after:165-180"), manual-page
// references ("read(2)"), C keywords and a few English words and acronyms
// (stopWords, stopCaps) are not names.
func Names(text string) []Name {
	text = blank(text, fileRef)
	text = blank(text, lineRef)
	text = blank(text, manRef)
	var out []Name
	index := map[string]int{}
	for i := 0; i < len(text); {
		c := text[i]
		if isDigit(c) {
			for i < len(text) && isIdentByte(text[i]) {
				i++
			}
			continue
		}
		if !isIdentStart(c) {
			i++
			continue
		}
		j := i
		for j < len(text) && isIdentByte(text[j]) {
			j++
		}
		tok, before, after := text[i:j], text[:i], text[j:]
		i = j
		if !cLooking(tok, before, after) {
			continue
		}
		label := strings.HasPrefix(after, ":") && !strings.HasPrefix(after, "::") &&
			(len(after) == 1 || after[1] == ' ' || after[1] == '\t')
		if k, seen := index[tok]; seen {
			out[k].Label = out[k].Label && label
			continue
		}
		index[tok] = len(out)
		out = append(out, Name{Ident: tok, Label: label})
	}
	return out
}

// cLooking decides whether the word tok, with the text before and after
// it, names something in C.
func cLooking(tok, before, after string) bool {
	if stopWords[strings.ToLower(tok)] || stopCaps[tok] {
		return false
	}
	if strings.HasPrefix(after, "(") {
		return true
	}
	if strings.Trim(tok, "_") == "" {
		return false
	}
	if strings.Contains(tok, "_") {
		return true
	}
	if strings.HasSuffix(before, "->") || strings.HasPrefix(after, "->") {
		return true
	}
	if len(tok) > 1 { // "e.g." is not a member access
		if strings.HasSuffix(before, ".") && len(before) > 1 && isIdentByte(before[len(before)-2]) {
			return true
		}
		if strings.HasPrefix(after, ".") && len(after) > 1 && isIdentStart(after[1]) {
			return true
		}
	}
	return isConstant(tok)
}

// isConstant reports an upper-case C constant: three or more characters,
// upper-case letters and digits, at least one letter.
func isConstant(tok string) bool {
	if len(tok) < 3 {
		return false
	}
	letter := false
	for k := 0; k < len(tok); k++ {
		c := tok[k]
		switch {
		case c >= 'A' && c <= 'Z':
			letter = true
		case isDigit(c) || c == '_':
		default:
			return false
		}
	}
	return letter
}

// blank replaces every match of re in s by spaces (keeping positions).
func blank(s string, re *regexp.Regexp) string {
	return re.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat(" ", len(m)) })
}

// TextCites returns the line citations written inside text, such as
// "fs/direct-io.c:614-625" or "mm/filemap.c@v2.6.20:2311-2325". File names
// without lines are not citations.
func TextCites(text string) []Cite {
	var out []Cite
	for _, m := range fileRef.FindAllStringSubmatch(text, -1) {
		if m[3] == "" {
			continue
		}
		l, err := strconv.Atoi(m[3])
		if err != nil {
			continue
		}
		e := l
		if m[4] != "" {
			if e, err = strconv.Atoi(m[4]); err != nil {
				continue
			}
		}
		out = append(out, Cite{File: m[1], Ver: m[2], Line: l, End: e})
	}
	return out
}
