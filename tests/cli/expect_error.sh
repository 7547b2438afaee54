#!/bin/sh
# Runs one refused command and checks the refusal:
#   expect_error.sh STATUS REGEX ABSENT COMMAND...
# passes when COMMAND exits with STATUS, prints exactly one line on stderr
# (warnings about the environment aside), that line matches REGEX (extended
# regular expression), and ABSENT ("-": none) does not exist afterwards:
# nothing was written.
status=$1 regex=$2 absent=$3
shift 3
[ "$absent" = "-" ] || rm -rf "$absent"
err=$(mktemp)
"$@" > /dev/null 2> "$err"
code=$?
lines=$(grep -v "^mcinr: warning: " "$err")
rm -f "$err"
echo "$lines"
fail() { echo "FAIL: $*"; exit 1; }
[ "$code" -eq "$status" ] || fail "exit status $code, expected $status"
[ "$(printf '%s\n' "$lines" | grep -c .)" -eq 1 ] || fail "expected exactly one error line"
printf '%s\n' "$lines" | grep -Eq -- "$regex" || fail "the error line does not match: $regex"
[ "$absent" = "-" ] || [ ! -e "$absent" ] || fail "$absent was written"
echo "refused as expected"
