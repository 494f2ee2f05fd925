#!/usr/bin/env bash
# Regenerates the spoken prompts shipped in src/OpenUM.Calls/Prompts from their text.
# Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox). The output is
# 8 kHz mono 16-bit PCM WAV, the format the media layer plays without resampling.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/src/OpenUM.Calls/Prompts"
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

say() { # name text
  espeak-ng -v en-us -s 150 -w "$tmp/$1.wav" "$2"
  # -G guards against clipping; 'silence' trims espeak's leading/trailing pauses so
  # concatenated pieces (prefix, digits, suffix) flow like one sentence.
  sox -G "$tmp/$1.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/$1.wav" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0 0.08
}

say greeting-prefix "The person at extension"
say greeting-suffix "is not available. Please leave a message after the tone."
say no-mailbox "Sorry, there is no mailbox at this number. Goodbye."
say goodbye "Your message has been recorded. Goodbye."
say system-busy "Sorry, the voice mail system is busy. Please call again later."
# While the data directory is low on space or read-only, for dial plans with --storage-full-action Announce.
say storage-full "Sorry, the voice mail system cannot take a message now. Please call again later. Goodbye."
# Subscriber access (CALL-2) and Play on Phone (CALL-3).
say enter-extension "Please enter your extension, followed by the pound key."
say enter-pin "Please enter your PIN, followed by the pound key."
say wrong-pin "That PIN is not correct."
say invalid-extension "That extension is not valid."
say mailbox-locked "Your mailbox is locked. Please contact your administrator. Goodbye."
say access-denied "Subscriber access is not available for this mailbox. Goodbye."
say too-many-failures "Too many failed attempts. Goodbye."
say you-have "You have"
say new-messages "new messages."
say no-messages "You have no new messages. Goodbye."
say message-from "Message from"
say unknown-caller "an unknown caller."
say message-menu "To replay, press 1. To delete, press 3. To call the sender, press 5. For the next message, press 6."
say message-deleted "Message deleted."
say cannot-call "That number cannot be called."
say transferring-call "Transferring your call."
say transfer-failed "The call could not be transferred."
say no-more-messages "There are no more messages. Goodbye."
say pin-unavailable "The system cannot check your PIN now. Please try again later. Goodbye."
# Auto attendants (openum autoattendant): the built-in welcome, the menu and dial by name.
say aa-welcome "Welcome. You have reached the automated attendant."
say aa-dial-extension "To reach an extension, enter it now, followed by the pound key."
say aa-dial-by-name "To find a person by name, press the pound key."
say aa-operator "For the operator, press zero."
say aa-no-operator "Sorry, no operator is available."
say aa-invalid-key "That key is not valid."
say aa-spell-name "Spell the last name, then the first name, using the keys of your phone, followed by the pound key."
say aa-no-match "Sorry, no one by that name was found."
say aa-several-matches "Several people match that name."
say aa-at-extension "At extension"
say aa-enter-extension "Enter the extension of the person you want, followed by the pound key."
say aa-too-many-matches "Too many people match. Please spell more of the name."
say aa-goodbye "Thank you for calling. Goodbye."
names=(zero one two three four five six seven eight nine)
for d in 0 1 2 3 4 5 6 7 8 9; do say "digit-$d" "${names[$d]}"; done
echo "prompts written to $out"
