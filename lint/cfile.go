package lint

import (
	"regexp"
	"strings"
)

// File is one C source file prepared for checking: its lines as written
// and the same lines with comments removed.
type File struct {
	Lines []string // the file's lines, without line ends
	Code  []string // the same lines with every comment replaced by spaces
}

// ParseFile splits C source into lines and removes its comments (block and
// line comments; string and character literals are kept, so a "/*" inside
// a string does not start a comment).
func ParseFile(src string) *File {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.TrimSuffix(src, "\n")
	lines := strings.Split(src, "\n")
	code := make([]string, len(lines))
	inComment := false
	for i, l := range lines {
		var b strings.Builder
		quote := byte(0)
		for j := 0; j < len(l); j++ {
			c := l[j]
			switch {
			case inComment:
				if c == '*' && j+1 < len(l) && l[j+1] == '/' {
					inComment = false
					b.WriteString("  ")
					j++
				} else {
					b.WriteByte(' ')
				}
			case quote != 0:
				b.WriteByte(c)
				if c == '\\' && j+1 < len(l) {
					b.WriteByte(l[j+1])
					j++
				} else if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
				b.WriteByte(c)
			case c == '/' && j+1 < len(l) && l[j+1] == '*':
				inComment = true
				b.WriteString("  ")
				j++
			case c == '/' && j+1 < len(l) && l[j+1] == '/':
				j = len(l)
			default:
				b.WriteByte(c)
			}
		}
		code[i] = b.String()
	}
	return &File{Lines: lines, Code: code}
}

// NumLines is the number of lines in the file.
func (f *File) NumLines() int { return len(f.Lines) }

// HasCode reports whether any of lines first..last (1-based, inclusive)
// holds something other than blanks and comments.
func (f *File) HasCode(first, last int) bool {
	for n := max(first, 1); n <= last && n <= len(f.Code); n++ {
		if strings.TrimSpace(f.Code[n-1]) != "" {
			return true
		}
	}
	return false
}

// Idents returns the set of identifiers in the code of lines first..last:
// comments and the contents of string and character literals do not count.
func (f *File) Idents(first, last int) map[string]bool {
	set := map[string]bool{}
	for n := max(first, 1); n <= last && n <= len(f.Code); n++ {
		for _, id := range codeIdents(stripLiterals(f.Code[n-1])) {
			set[id] = true
		}
	}
	return set
}

// codeIdents returns the identifiers of one line of C code; numbers
// (including 0x1f and 10UL) are skipped.
func codeIdents(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isDigit(c):
			for i < len(s) && isIdentByte(s[i]) {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			i++
		}
	}
	return out
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentByte(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// Extent is where one function is defined: 1-based lines, inclusive.
type Extent struct {
	Start int // first line of the definition (the return type's line)
	Name  int // the line that names the function
	End   int // the closing brace
}

// Contains reports whether line n lies within the extent.
func (e Extent) Contains(n int) bool { return n >= e.Start && n <= e.End }

var syscallDefine = regexp.MustCompile(`^SYSCALL_DEFINE\d\(\s*(\w+)\s*[,)]`)

// FuncExtents finds the definitions of the function (or function-like
// macro) name: a line that starts at column 0 and names it followed by
// "(" (after its return type, if on the same line) whose parameter list
// is followed by "{", up to the brace that closes that body. The extent
// starts at the return-type lines just above the name, as in
//
//	static ssize_t
//	direct_io_worker(int rw, ...)
//
// A "#define name(" gives the macro's lines. SYSCALL_DEFINEn(x, ...) defines
// sys_x. Several extents come back when #ifdef branches define the name
// more than once.
func (f *File) FuncExtents(name string) []Extent {
	var out []Extent
	for i, l := range f.Code {
		if l == "" || l[0] == ' ' || l[0] == '\t' || l[0] == '}' {
			continue
		}
		if strings.HasPrefix(l, "#") {
			if e, ok := f.macroExtent(i, name); ok {
				out = append(out, e)
			}
			continue
		}
		col := -1
		if m := syscallDefine.FindStringSubmatch(l); m != nil {
			if "sys_"+m[1] == name || m[1] == name {
				col = strings.Index(l, "(")
			}
		} else {
			col = declName(l, name)
		}
		if col < 0 {
			continue
		}
		open, ok := f.bodyOpen(i, col)
		if !ok {
			continue
		}
		out = append(out, Extent{Start: f.declStart(i) + 1, Name: i + 1, End: f.bodyEnd(open) + 1})
	}
	return out
}

// declName returns the index of the "(" that follows name on a
// declaration line, or -1: name must be a whole word, followed (after
// blanks) by "(", and nothing before it on the line may be a "(" or an
// "=" (then it is an argument or an initialiser, not the declarator).
func declName(l, name string) int {
	for from := 0; ; {
		k := strings.Index(l[from:], name)
		if k < 0 {
			return -1
		}
		k += from
		from = k + len(name)
		if k > 0 && isIdentByte(l[k-1]) {
			continue
		}
		if from < len(l) && isIdentByte(l[from]) {
			continue
		}
		if strings.ContainsAny(l[:k], "(=;,") {
			return -1
		}
		rest := strings.TrimLeft(l[from:], " \t")
		if !strings.HasPrefix(rest, "(") {
			continue
		}
		return len(l) - len(rest)
	}
}

// bodyOpen follows the parameter list that starts at line i, column col
// (a "(") to its end and returns the line holding the "{" that opens the
// body, or false when a ";", "," or "=" comes first (a prototype, a
// variable, a call).
func (f *File) bodyOpen(i, col int) (int, bool) {
	depth := 0
	closed := false
	for n := i; n < len(f.Code) && n < i+60; n++ {
		l := f.Code[n]
		start := 0
		if n == i {
			start = col
		}
		for j := start; j < len(l); j++ {
			c := l[j]
			switch {
			case c == '(':
				depth++
			case c == ')':
				depth--
				if depth == 0 {
					closed = true
				}
			case !closed || depth > 0:
			case c == '{':
				return n, true
			case c == ';' || c == ',' || c == '=':
				return 0, false
			}
		}
		if closed && n > i && strings.HasPrefix(l, "#") {
			return 0, false
		}
	}
	return 0, false
}

// bodyEnd returns the line of the "}" that closes the body opened on line
// open: the brace count returning to zero, or else the first later line
// that starts with "}" at column 0 (kernel style; this survives #ifdef
// branches that each open a brace).
func (f *File) bodyEnd(open int) int {
	depth := 0
	for n := open; n < len(f.Code); n++ {
		l := stripLiterals(f.Code[n])
		if n > open && strings.HasPrefix(l, "}") {
			return n
		}
		for j := 0; j < len(l); j++ {
			switch l[j] {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					return n
				}
			}
		}
	}
	return len(f.Code) - 1
}

// declStart walks back from the line naming a function over the lines of
// its return type ("static ssize_t", "STATIC int"): non-blank lines at
// column 0 that end none of a statement, a comment, a preprocessor line or
// another definition.
func (f *File) declStart(i int) int {
	start := i
	for k := 0; k < 3 && start > 0; k++ {
		p := f.Code[start-1]
		t := strings.TrimSpace(p)
		if t == "" || p[0] == ' ' || p[0] == '\t' || p[0] == '#' || p[0] == '}' {
			break
		}
		if strings.HasSuffix(t, ";") || strings.HasSuffix(t, "{") || strings.HasSuffix(t, ")") ||
			strings.HasSuffix(t, ",") || strings.HasSuffix(t, "\\") || strings.HasSuffix(t, ":") {
			break
		}
		start--
	}
	return start
}

// macroExtent matches "#define name(" on line i and returns the macro's
// lines (continued with backslashes).
func (f *File) macroExtent(i int, name string) (Extent, bool) {
	l := strings.TrimLeft(f.Code[i][1:], " \t")
	if !strings.HasPrefix(l, "define") {
		return Extent{}, false
	}
	l = strings.TrimLeft(l[len("define"):], " \t")
	if !strings.HasPrefix(l, name+"(") {
		return Extent{}, false
	}
	end := i
	for end < len(f.Code)-1 && strings.HasSuffix(strings.TrimRight(f.Code[end], " \t"), "\\") {
		end++
	}
	return Extent{Start: i + 1, Name: i + 1, End: end + 1}, true
}

// stripLiterals blanks the contents of string and character literals, so
// that braces in them do not count.
func stripLiterals(l string) string {
	if !strings.ContainsAny(l, "\"'") {
		return l
	}
	b := []byte(l)
	quote := byte(0)
	for j := 0; j < len(b); j++ {
		c := b[j]
		switch {
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote != 0 && c == '\\':
			b[j] = ' '
			if j+1 < len(b) {
				b[j+1] = ' '
				j++
			}
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b[j] = ' '
		}
	}
	return string(b)
}
