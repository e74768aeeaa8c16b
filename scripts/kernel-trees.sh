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
	"v2.6.21 amwtke/study-linux-2.6.21 f393974862e78a6856d0f82d66bbaa8cc9dc3cf0"
	"v2.6.22 j0n3lson/linux-2.6.22.19-cs370 1ee3a188bad8ab75f7961187a8a9e56ad54720f8"
	"v2.6.31 jz47xx/linux-2.6.31.3 3609b4ebb0b6bef3a5b41affcfb3f06d8cdaa733"
	"v2.6.32 sndrzt/linux-2.6.32 ae8292a5ebb4676afb6bb4c794ec578e10429610"
	"v2.6.35 keens312/linux-2.6.35.3 0c4ff21b32a04eacb9734636ed87954feca78585"
	"v2.6.36 allwinner/linux-2.6.36 f6f94e2ab1b33f0082ac22d71f66385a60d8157f"
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
	fs/xfs/linux-2.6/xfs_file.c
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
	[v2.6.18:fs/xfs/linux-2.6/xfs_file.c]=3d4f6dff21134a26b622d4450b0e763906ccba1e
	[v2.6.20:fs/xfs/linux-2.6/xfs_file.c]=d26f5cd2ba70ec0cd9c73471a0eb1d23b544c529
	[after:fs/direct-io.c]=71f4aeac7632328ead009dbe7d2411f670e3cf2f
	[before:fs/direct-io.c]=f11f05dc9e61a9e6f3c7bb12e3948b68c8cc4d82
	[before:mm/filemap.c]=606432f71b3a17dafd791b46361c29a996beec18
	[v2.6.21:fs/aio.c]=e4598d6d49ddea9311b73d716c1f92d91118b6ac
	[v2.6.21:fs/bio.c]=7618bcb1836848737921c48302359a29a583e23b
	[v2.6.21:fs/direct-io.c]=d9d0833444f59da15dc8be42420c13366429d402
	[v2.6.21:fs/read_write.c]=1f8dc373ede7755124a0d5da510f05beb7ce784f
	[v2.6.21:fs/xfs/linux-2.6/xfs_aops.c]=143ffc851c9d21376b1c928394544d59443b87e9
	[v2.6.21:fs/xfs/linux-2.6/xfs_file.c]=cb51dc9613555b6c8a37160b0d45d727359235bd
	[v2.6.21:fs/xfs/linux-2.6/xfs_lrw.c]=ff8d64eba9f8d4e20ba3457276b22ab655ab9993
	[v2.6.21:include/linux/aio.h]=a30ef13c9e622c91bfd7706955758e5932fc639e
	[v2.6.21:kernel/sched.c]=b9a6837301482270dc7438a3df3539b9ac835f94
	[v2.6.21:mm/filemap.c]=5dfc093ceb3d680322158f508bed3b0b47a8fbb7
	[v2.6.22:fs/aio.c]=dbe699e9828c3ac840529876d4daf2dda56abb47
	[v2.6.22:fs/bio.c]=093345f00128b841cd7a4026378f1021e2e9785d
	[v2.6.22:fs/direct-io.c]=6874785bb65a846bafc6eb4242875bac9439ba3c
	[v2.6.22:fs/read_write.c]=4d03008f015b9ae6d2565cdbc179d034687c3d08
	[v2.6.22:fs/xfs/linux-2.6/xfs_aops.c]=7361861e3aacde605a400771af549b77e9b457e5
	[v2.6.22:fs/xfs/linux-2.6/xfs_file.c]=cb51dc9613555b6c8a37160b0d45d727359235bd
	[v2.6.22:fs/xfs/linux-2.6/xfs_lrw.c]=ed90403f0ee71dcfaefc4ae03d84990d59155f3e
	[v2.6.22:include/linux/aio.h]=b903fc02bdb7dbc5f95a041dbba4dab24bb67e7c
	[v2.6.22:kernel/sched.c]=50e1a312269945284bc0ce769eb9b2acd629b7f2
	[v2.6.22:mm/filemap.c]=d1d9814f99ddd51f982799ca70fa86762d7b48c0
	[v2.6.31:fs/aio.c]=d065b2c3273ea03615ae883558100b4962a2ddbb
	[v2.6.31:fs/bio.c]=76738005c8e8af43c3b084a48d4f752e36e2186d
	[v2.6.31:fs/direct-io.c]=8b10b87dc01a294845aac2afd1a2d22ae5a269b2
	[v2.6.31:fs/read_write.c]=6c8c55dec2bcd6b2759f9698abab5b663258cc4b
	[v2.6.31:fs/xfs/linux-2.6/xfs_aops.c]=aecf2519db76345a206fb812c61f0598d85440fb
	[v2.6.31:fs/xfs/linux-2.6/xfs_file.c]=0542fd50764945935bd6975bc8094a8df2348601
	[v2.6.31:fs/xfs/linux-2.6/xfs_lrw.c]=7078974a6eeed236f3cbc2d6420ba60aabbc0528
	[v2.6.31:include/linux/aio.h]=47f7d932a01d5d7694835b184429112f681f139b
	[v2.6.31:kernel/sched.c]=1b59e265273b032d6aac2baec9b059646ca563bf
	[v2.6.31:mm/filemap.c]=ccea3b665c12571ac32d6d936b3862e103f7b995
	[v2.6.32:fs/aio.c]=02a2c9340573cf5946e0083187353d4517319844
	[v2.6.32:fs/bio.c]=12da5db8682c24903d492798b365c010ba378c49
	[v2.6.32:fs/direct-io.c]=8b10b87dc01a294845aac2afd1a2d22ae5a269b2
	[v2.6.32:fs/read_write.c]=3ac28987f22a38b3c2005a74e8ee3dac01621679
	[v2.6.32:fs/xfs/linux-2.6/xfs_aops.c]=c2e30eea74dc2cd6344dd6710806465b029db422
	[v2.6.32:fs/xfs/linux-2.6/xfs_file.c]=eff61e2732af27c8aad199ebab5c66d83c5b904f
	[v2.6.32:fs/xfs/linux-2.6/xfs_lrw.c]=072050f8d34634d59e4d200dfe14218bcf0e75ad
	[v2.6.32:include/linux/aio.h]=aea219d7d8d1afec462b546df8c3412c915eecf2
	[v2.6.32:kernel/sched.c]=3c11ae0a948d9337732ce9d0e37076d84c324ff6
	[v2.6.32:mm/filemap.c]=ef169f37156da22cc3f07d5dd9092dea00315b7f
	[v2.6.35:fs/aio.c]=1ccf25cef1f027a61449ed2cf12b56fb077686ea
	[v2.6.35:fs/bio.c]=e7bf6ca64dcf028caec480f4ecb82b2ff32d2463
	[v2.6.35:fs/direct-io.c]=7600aacf531dc8ed16ccfb727878d13834a16503
	[v2.6.35:fs/read_write.c]=9c0485236e68d4abd02951d99aec5eb4a2905720
	[v2.6.35:fs/xfs/linux-2.6/xfs_aops.c]=34640d6dbdcb8e6d5879c50a3acafed0cc819708
	[v2.6.35:fs/xfs/linux-2.6/xfs_file.c]=257a56b127cf060013569a211de51efd7f2b1306
	[v2.6.35:include/linux/aio.h]=7a8db41552813ff15e6739943ad401cfe5f56b3c
	[v2.6.35:kernel/sched.c]=63b4a14682faa3193830ec4dfc0ba26c9bada4d0
	[v2.6.35:mm/filemap.c]=20e5642e9f9f82285094a189b9e8a99c3e61bc6c
	[v2.6.36:fs/aio.c]=250b0a73c8a8ca92b78c3a0282d2425ce7649dcf
	[v2.6.36:fs/bio.c]=8abb2dfb2e7c8b006f9c80b716808a1ff07a0189
	[v2.6.36:fs/direct-io.c]=48d74c7391d13f4f07393c45d19825e937ecbcd1
	[v2.6.36:fs/read_write.c]=74e36586e4d3076db68cae1579d0c3b50c78a3b2
	[v2.6.36:fs/xfs/linux-2.6/xfs_aops.c]=b552f816de15942095f82ad0302b8656f7db09ae
	[v2.6.36:fs/xfs/linux-2.6/xfs_file.c]=ba8ad422a16506fdea605c7a215e572b3b3a8f6a
	[v2.6.36:include/linux/aio.h]=7a8db41552813ff15e6739943ad401cfe5f56b3c
	[v2.6.36:kernel/sched.c]=dc85ceb908322cad7196339f4df8dd58c37b1cec
	[v2.6.36:mm/filemap.c]=3d4df44e4221d25bb041995813823e00903161e5
)

# Which file version each model version uses (model/step.go fileVersions;
# the spec README's table). Files not listed for a model use the model's
# own name as the file version.
declare -A use=(
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
laid=("${models[@]}")
if [ "$later" = 1 ]; then
	for r in "${later_releases[@]}"; do
		laid+=("${r%% *}")
	done
fi
for m in "${laid[@]}"; do
	printf '  %s: %s files\n' "$m" "$(wc -l <"$out/$m/MANIFEST")"
done
