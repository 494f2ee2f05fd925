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
# The message store (IMAP server) cannot be reached: never "no new messages" by mistake.
say messages-unavailable "Your messages are not available right now. Please call again later. Goodbye."
# Keys during a mailbox's greeting: 0 without an operator, and the way back to the message after a failed transfer.
say no-operator "Sorry, no operator is available."
say leave-message "Please leave a message after the tone."
# Self-service by phone: the main menu, personal options, greetings and name recorded by phone, the forced PIN change.
say you-have-reached "You have reached"
say main-menu "To listen to your messages, press 1. For personal options, press 6."
say personal-options "To turn your away greeting on or off, press 1. To record your greeting, press 2. To record your away greeting, press 3. To record your name, press 4. To change your PIN, press 5. To return to the main menu, press star."
say away-on "Your away greeting is on. Callers will hear it instead of your greeting."
say away-off "Your away greeting is off."
say record-greeting "Record your greeting after the tone. Press the pound key when you are done."
say record-away "Record your away greeting after the tone. Press the pound key when you are done."
say record-name "Say your name after the tone. Press the pound key when you are done."
say review-recording "To hear it, press 1. To accept it, press 2. To record it again, press 3."
say recording-saved "Your recording has been saved."
say nothing-recorded "Nothing was recorded."
say recording-not-saved "Sorry, your recording could not be saved. Please try again later."
say pin-must-change "You must choose a new PIN before you continue."
say choose-pin "Please choose a new PIN, followed by the pound key."
say confirm-pin "Please enter the new PIN again, followed by the pound key."
say pins-differ "The two PINs are not the same."
say pin-rejected "That PIN does not meet the requirements."
say pin-changed "Your PIN has been changed."
say settings-unavailable "Sorry, your settings cannot be changed now. Please try again later."
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
