#!/usr/bin/env bash
# make-voice.sh — regenerates the bundled announcement clips in static/voice/ (Ogg Vorbis, mono).
#
# The hall has no internet, so calls are spoken from clips assembled in the browser:
# chime, 请, letters and digits of the ticket, 号, 到, the window number, 号窗口, 办理.
# Clips come from espeak-ng's Mandarin voice (Debian packages espeak-ng and sox), female
# variant, trimmed of leading and trailing silence and normalised. Swap in recorded clips of a
# real announcer by replacing the files with the same names; nothing else changes.
set -euo pipefail
cd "$(dirname "$0")/static/voice"
voice=${VOICE:-cmn+f3}
speed=${SPEED:-140}

say() { # say NAME TEXT
  local tmp; tmp=$(mktemp --suffix=.wav)
  espeak-ng -v "$voice" -s "$speed" -a 180 -w "$tmp" "$2"
  sox "$tmp" -r 22050 -c 1 "$1.ogg" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse norm -1
  rm -f "$tmp"
}

say qing 请
say hao 号
say dao 到
say chuangkou 窗口
say banli 办理
digits=(零 一 二 三 四 五 六 七 八 九)
for i in "${!digits[@]}"; do say "d$i" "${digits[$i]}"; done
say d10 十
say d100 百
say d1000 千
say zuo 左
say you 右
for l in A B C D E F G H I J K L M N O P Q R S T U V W X Y Z; do
  say "l$l" "$l"
done
# A two-tone chime (叮咚): 880 Hz then 660 Hz with a soft decay.
sox -n -r 22050 -c 1 ding.wav synth 0.45 sine 880 fade q 0.01 0.45 0.4 vol 0.6
sox -n -r 22050 -c 1 dong.wav synth 0.7 sine 660 fade q 0.01 0.7 0.65 vol 0.6
sox ding.wav dong.wav chime.ogg
rm -f ding.wav dong.wav
ls -1 | wc -l
