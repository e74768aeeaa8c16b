#!/usr/bin/env bash
# kernel-trees.sh lays out, outside this repository, the Linux kernel files
# that dio-sim's model cites, one directory per model version, so that
# `dio-sim lint --source DIR` can check every citation against the real text.
#
# It contains no kernel code: it names public repositories, commits and
# paths, clones them (or uses clones you already have), copies the files out
# with `git show`, rebuilds the two versions that exist only as patches
# (`before` and `after`) by reversing patches you supply, and checks the git
# blob id of every file it writes. Any mismatch stops it with an error.
#
# Usage:
#   scripts/kernel-trees.sh [options] LOCK_REFCOUNT_PATCH SEED_PATCH [SEED_FILEMAP_PATCH]
#
#   LOCK_REFCOUNT_PATCH  "dio: lock refcount operations" (Zach Brown, LKML
#                        2006-10-27): reversed on v2.6.20's fs/direct-io.c
#                        it gives `after`.
#   SEED_PATCH           "dio: only call aio_complete() after returning
#                        -EIOCBQUEUED": its fs/direct-io.c part, reversed on
#                        `after`, gives `before`; its mm/filemap.c part, if it
#                        has one, reversed on v2.6.20's mm/filemap.c gives
#                        `before`'s mm/filemap.c.
#   SEED_FILEMAP_PATCH   a patch holding the seed's mm/filemap.c hunks, for a
#                        SEED_PATCH that has none (the copy in shared/seed has
#                        only fs/direct-io.c); e.g. the LKML posting
#                        "[PATCH take2 5/5] dio: only call aio_complete() after
#                        returning -EIOCBQUEUED" (2006-10-02).
#
# Options:
#   --out DIR        where to lay out the trees (default: $DIOSIM_KERNEL_TREES,
#                    else ./kernel-trees)
#   --clones DIR     where to clone the repositories (default: OUT/.clones)
#   --git NAME=PATH  use an existing clone (work tree or bare git dir) for
#                    the repository NAME instead of cloning; NAME is the
#                    repository's owner/name, e.g. sagsango/linux-2.6.20
#   --later          also lay out the later releases (v2.6.21, v2.6.22,
#                    v2.6.31, v2.6.32, v2.6.35, v2.6.36); off by default
#   -h, --help       this text
#
# Result (docs/kernel-trees.md describes it):
#   OUT/.files/FILEVER/PATH   every distinct file version, checked by blob id
#   OUT/MODELVER/PATH         per model version, each cited file in the
#                             version that model uses (a copy)
#   OUT/MODELVER/MANIFEST     one line per file: PATH FILEVER BLOB
set -euo pipefail

die() {
	echo "kernel-trees.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

out=${DIOSIM_KERNEL_TREES:-./kernel-trees}
clones=
later=0
declare -A gitdir_of=()
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--clones) clones=$2; shift 2 ;;
	--clones=*) clones=${1#*=}; shift ;;
	--git) gitdir_of[${2%%=*}]=${2#*=}; shift 2 ;;
	--git=*) v=${1#*=}; gitdir_of[${v%%=*}]=${v#*=}; shift ;;
	--later) later=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; args+=("$@"); break ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) args+=("$1"); shift ;;
	esac
done
[ ${#args[@]} -ge 2 ] && [ ${#args[@]} -le 3 ] ||
	die "need LOCK_REFCOUNT_PATCH and SEED_PATCH (and optionally SEED_FILEMAP_PATCH); see --help"
lock_patch=${args[0]}
seed_patch=${args[1]}
seed_filemap_patch=${args[2]:-}
for f in "$lock_patch" "$seed_patch" ${seed_filemap_patch:+"$seed_filemap_patch"}; do
	[ -r "$f" ] || die "cannot read patch $f"
done
for tool in git patch awk; do
	command -v "$tool" >/dev/null || die "needs $tool on PATH"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
clones=${clones:-$out/.clones}

# Releases: file version, repository (owner/name on GitHub), commit.
# The commits are the repositories' imports of the release; later commits
# of some of these repositories add their owners' notes to the sources.
releases=(
	"v2.6.18 rocklee104/linux-2.6.18 4ba3a12dda1c1895065c887948b336e440dcc032"
	"v2.6.20 sagsango/linux-2.6.20 7925ece7cd6ab62ca9733b444181b2ff2505b81e"
)
later_releases=(
	"v2.6.21 amwtke/study-linux-2.6.21 f3939748"
	"v2.6.22 j0n3lson/linux-2.6.22.19-cs370 b99b2548"
	"v2.6.31 jz47xx/linux-2.6.31.3 3609b4eb"
	"v2.6.35 keens312/linux-2.6.35.3 0c4ff21b"
)

# The files, by the path they have in the trees this script knows.
paths=(
	fs/direct-io.c
	mm/filemap.c
	fs/aio.c
	include/linux/aio.h
	fs/read_write.c
	fs/bio.c
	fs/xfs/linux-2.6/xfs_aops.c
	fs/xfs/linux-2.6/xfs_lrw.c
	kernel/sched.c
)

# Expected git blob id of every file version this script writes.
declare -A blob=(
	[v2.6.18:fs/direct-io.c]=5981e17f46f051afa98ec0b7af67c1b25a0dc897
	[v2.6.18:mm/filemap.c]=b9a60c43b61a4649f19a418584af345088e74daf
	[v2.6.18:fs/aio.c]=950630187acc72a781de4cc6ef936045be5bd0be
	[v2.6.18:include/linux/aio.h]=00c8efa95cc3ade224b9e7b61033c414f3dfb464
	[v2.6.18:fs/read_write.c]=d4cb3183c99cb9c89ccb5b1bc2f98c4e976087d8
	[v2.6.18:fs/bio.c]=6a0b9ad8f8c9d031d4c32fb32e1c53e0677d1ef2
	[v2.6.18:fs/xfs/linux-2.6/xfs_aops.c]=34dcb43a7837d8d9b602ba23199c8f6bbe429400
	[v2.6.18:fs/xfs/linux-2.6/xfs_lrw.c]=ee788b1cb3641a355219183f9217037d04df2a94
	[v2.6.18:kernel/sched.c]=a234fbee1238ccc85b2d68b87f4442236edad1f0
	[v2.6.20:fs/direct-io.c]=d9d0833444f59da15dc8be42420c13366429d402
	[v2.6.20:mm/filemap.c]=8332c77b1bd123fdd76b2a9b2d966711a45b124b
	[v2.6.20:fs/aio.c]=55991e4132a7f30f778a7f86862b8992c59bafca
	[v2.6.20:include/linux/aio.h]=a30ef13c9e622c91bfd7706955758e5932fc639e
	[v2.6.20:fs/read_write.c]=707ac21700d31d26ee85d85734e4c3138853dd70
	[v2.6.20:fs/bio.c]=7618bcb1836848737921c48302359a29a583e23b
	[v2.6.20:fs/xfs/linux-2.6/xfs_aops.c]=7b54461695e2de979924c14cfe79a1c56d2587ef
	[v2.6.20:fs/xfs/linux-2.6/xfs_lrw.c]=65e79b471d49570f825033d31843327e2d7c50f2
	[v2.6.20:kernel/sched.c]=cca93cc0dd7d8ba7272b1ea4782e87c97bfe1a09
	[after:fs/direct-io.c]=71f4aeac7632328ead009dbe7d2411f670e3cf2f
	[before:fs/direct-io.c]=f11f05dc9e61a9e6f3c7bb12e3948b68c8cc4d82
	[before:mm/filemap.c]=606432f71b3a17dafd791b46361c29a996beec18
)

# Which file version each model version uses (model/step.go fileVersions;
# the spec README's table). Files not listed for a model use the model's
# own name as the file version.
declare -A use=(
	[v2.6.18:fs/read_write.c]=v2.6.20
	[v2.6.18:fs/xfs/linux-2.6/xfs_lrw.c]=v2.6.20
	[v2.6.18:fs/bio.c]=v2.6.20
	[before:fs/direct-io.c]=before
	[before:mm/filemap.c]=before
	[before:fs/xfs/linux-2.6/xfs_aops.c]=v2.6.18
	[after:fs/direct-io.c]=after
)
models=(v2.6.18 before after v2.6.20)

files=$out/.files

# gitdir REPO COMMIT: print the git directory of a clone of REPO that has
# COMMIT, cloning it if needed.
gitdir() {
	local repo=$1 commit=$2 dir
	dir=${gitdir_of[$repo]:-}
	if [ -z "$dir" ]; then
		dir=$clones/${repo//\//+}
		if [ ! -e "$dir" ]; then
			mkdir -p "$clones"
			echo "cloning https://github.com/$repo into $dir" >&2
			git clone --quiet --bare "https://github.com/$repo" "$dir" ||
				die "git clone https://github.com/$repo failed"
		fi
	fi
	dir=$(git -C "$dir" rev-parse --absolute-git-dir 2>/dev/null) ||
		die "$repo: $dir is not a git clone"
	git --git-dir="$dir" cat-file -e "$commit^{commit}" 2>/dev/null ||
		die "$repo: clone $dir has no commit $commit"
	echo "$dir"
}

# check FILE VER PATH: the file must have the expected blob id, when one is
# known; print the blob id.
check() {
	local file=$1 key=$2:$3 got
	got=$(git hash-object "$file")
	if [ -n "${blob[$key]:-}" ] && [ "$got" != "${blob[$key]}" ]; then
		die "$key: $file has git blob $got, expected ${blob[$key]}"
	fi
	echo "$got"
}

# part PATCH PATH: print the part of PATCH that changes PATH (a file header
# "--- a/PATH" followed by "+++ ...", up to the next file header).
part() {
	awk -v want="$2" '
		function strip(s) { sub(/\t.*/, "", s); sub(/^(--- |\+\+\+ )/, "", s); return s }
		{ line[NR] = $0 }
		END {
			on = 0
			for (i = 1; i <= NR; i++) {
				if (line[i] ~ /^--- / && line[i+1] ~ /^\+\+\+ /) {
					p = strip(line[i])
					n = length(want)
					on = (p == want || substr(p, length(p) - n) == "/" want)
				} else if (line[i] ~ /^(Index: |diff )/) {
					on = 0
				}
				if (on) print line[i]
			}
		}' "$1"
}

# unpatch FILE PATCH PATH: reverse PATCH's PATH part on FILE in place.
unpatch() {
	local file=$1 patch=$2 path=$3 diff
	diff=$(part "$patch" "$path")
	[ -n "$diff" ] || die "$patch has no part for $path"
	printf '%s\n' "$diff" | patch --batch --quiet --reverse --no-backup-if-mismatch \
		--reject-file=- "$file" >/dev/null 2>&1 ||
		die "reversing $patch ($path) on $file failed"
}

# extract VER REPO COMMIT PATH...: copy the paths out of the release.
extract() {
	local ver=$1 repo=$2 commit=$3 dir p
	shift 3
	dir=$(gitdir "$repo" "$commit")
	for p in "$@"; do
		mkdir -p "$(dirname "$files/$ver/$p")"
		if git --git-dir="$dir" cat-file -e "$commit:$p" 2>/dev/null; then
			git --git-dir="$dir" show "$commit:$p" >"$files/$ver/$p"
			check "$files/$ver/$p" "$ver" "$p" >/dev/null
		else
			echo "note: $repo@$commit has no $p" >&2
		fi
	done
}

rm -rf "$files"
for r in "${releases[@]}"; do
	read -r ver repo commit <<<"$r"
	extract "$ver" "$repo" "$commit" "${paths[@]}"
done

# after: v2.6.20's fs/direct-io.c with "dio: lock refcount operations" reversed.
mkdir -p "$files/after/fs" "$files/before/fs" "$files/before/mm"
cp "$files/v2.6.20/fs/direct-io.c" "$files/after/fs/direct-io.c"
unpatch "$files/after/fs/direct-io.c" "$lock_patch" fs/direct-io.c
check "$files/after/fs/direct-io.c" after fs/direct-io.c >/dev/null

# before: after's fs/direct-io.c with the seed reversed, and v2.6.20's
# mm/filemap.c with the seed's mm/filemap.c hunks reversed.
cp "$files/after/fs/direct-io.c" "$files/before/fs/direct-io.c"
unpatch "$files/before/fs/direct-io.c" "$seed_patch" fs/direct-io.c
check "$files/before/fs/direct-io.c" before fs/direct-io.c >/dev/null
fm_patch=$seed_patch
if [ -z "$(part "$seed_patch" mm/filemap.c)" ]; then
	[ -n "$seed_filemap_patch" ] ||
		die "$seed_patch has no mm/filemap.c part: give SEED_FILEMAP_PATCH"
	fm_patch=$seed_filemap_patch
fi
cp "$files/v2.6.20/mm/filemap.c" "$files/before/mm/filemap.c"
unpatch "$files/before/mm/filemap.c" "$fm_patch" mm/filemap.c
check "$files/before/mm/filemap.c" before mm/filemap.c >/dev/null

# layout MODEL FILEVER-OF-PATH...: copy each file version into the model's
# directory and write its MANIFEST.
layout() {
	local m=$1 p fv src
	rm -rf "${out:?}/$m"
	mkdir -p "$out/$m"
	: >"$out/$m/MANIFEST"
	for p in "${paths[@]}"; do
		fv=${use[$m:$p]:-$m}
		# before and after differ from v2.6.20 only in the files rebuilt
		# above; every other file is v2.6.20's.
		if [ ! -e "$files/$fv/$p" ]; then
			case $fv in
			before | after) fv=v2.6.20 ;;
			esac
		fi
		src=$files/$fv/$p
		[ -e "$src" ] || continue
		mkdir -p "$(dirname "$out/$m/$p")"
		cp "$src" "$out/$m/$p"
		printf '%s %s %s\n' "$p" "$fv" "$(git hash-object "$src")" >>"$out/$m/MANIFEST"
	done
}

for m in "${models[@]}"; do
	layout "$m"
done

if [ "$later" = 1 ]; then
	for r in "${later_releases[@]}"; do
		read -r ver repo commit <<<"$r"
		extract "$ver" "$repo" "$commit" "${paths[@]}"
		layout "$ver"
	done
fi

echo "kernel trees laid out in $out:"
for m in "${models[@]}"; do
	printf '  %s: %s files\n' "$m" "$(wc -l <"$out/$m/MANIFEST")"
done
