#!/usr/bin/env bash
# make-prompts.sh [PACK_DIR...] - regenerates the spoken prompts of language packs from their text.
# A language pack is a folder (src/OpenUM.Calls/Prompts/en-US, .../fr-FR) whose prompts.txt holds the reviewed
# wording: "@voice NAME" and "@speed WPM" (espeak-ng's voice and words per minute; `openum autoattendant` speaks
# an attendant's greeting text and key menu with them too, the menu from the "@key-mapping" template), then one
# prompt a line, its name (the WAV's file name) and its text; '#' starts a comment line. Every WAV of the folder
# is rewritten from it, and a WAV whose name the text no longer has is deleted, so the folder is exactly its text.
# Without arguments: every pack under src/OpenUM.Calls/Prompts. The same command makes a pack of an
# administrator's own wording (a copy of a folder with prompts.txt edited), to put in <data-dir>/prompts/<language>/
# (docs/languages.md).
# Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox). The output is 8 kHz mono 16-bit PCM WAV, the
# format the media layer plays without resampling.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -eq 0 ]; then set -- "$repo"/src/OpenUM.Calls/Prompts/*/; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

make_pack() { # folder
  local dir="${1%/}" voice="" speed=150 name text count=0
  [ -f "$dir/prompts.txt" ] || { echo "$dir has no prompts.txt" >&2; exit 1; }
  rm -rf "$tmp/out"; mkdir -p "$tmp/out"
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      ''|'#'*) continue ;;
      '@voice '*) voice="${line#@voice }"; continue ;;
      '@speed '*) speed="${line#@speed }"; continue ;;
      # A sentence template the CLI speaks with the administrator's words (an attendant's key menu), not a prompt.
      '@key-mapping '*) continue ;;
    esac
    name="${line%% *}"; text="${line#* }"
    [[ "$name" =~ ^[a-z0-9-]+$ && "$text" != "$line" ]] || { echo "$dir/prompts.txt: bad line: $line" >&2; exit 1; }
    [ -n "$voice" ] || { echo "$dir/prompts.txt: @voice must come before the prompts" >&2; exit 1; }
    [ ! -e "$tmp/out/$name.wav" ] || { echo "$dir/prompts.txt: $name is given twice" >&2; exit 1; }
    espeak-ng -v "$voice" -s "$speed" -w "$tmp/raw.wav" "$text"
    # -G guards against clipping; -D (no dither) makes the output the same on every run; 'silence' trims
    # espeak's leading/trailing pauses so concatenated pieces (prefix, digits, suffix) flow like one sentence.
    sox -D -G "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$tmp/out/$name.wav" \
      silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0 0.08
    count=$((count + 1))
  done < "$dir/prompts.txt"
  rm -f "$dir"/*.wav
  mv "$tmp/out"/*.wav "$dir/"
  echo "$count prompts written to $dir"
}

for pack in "$@"; do make_pack "$pack"; done
