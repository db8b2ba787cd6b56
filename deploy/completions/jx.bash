# bash completion for jx. Commands, subcommands and options are read from jx's own
# --help, so they never fall behind it; workspace ids come from 'jx --json ws list'
# (when a server answers within a second).
_jx_help_words() {
	# The words listed under "commands:" in "$@ --help".
	"$@" --help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

_jx_help_options() {
	"$@" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u
}

_jx() {
	local cur=${COMP_WORDS[COMP_CWORD]} jx=${COMP_WORDS[0]}
	local -a words=()
	local i w
	# The command words typed so far, options and their values left out.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--server | --key | --ca | --reason | -s | -k | -c | -r) ((i++)) ;;
		-*) ;;
		*) words+=("$w") ;;
		esac
	done
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_jx_help_options "$jx" "${words[@]:0:2}")" -- "$cur")
		return
	fi
	case ${#words[@]} in
	0)
		mapfile -t COMPREPLY < <(compgen -W "$(_jx_help_words "$jx")" -- "$cur")
		;;
	1)
		local subs
		subs=$(_jx_help_words "$jx" "${words[0]}")
		if [[ -n $subs ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_jx_ws_ids "$jx")" -- "$cur")
		fi
		;;
	*)
		mapfile -t COMPREPLY < <(compgen -W "$(_jx_ws_ids "$jx")" -- "$cur")
		;;
	esac
}

_jx_ws_ids() {
	timeout 1 "$1" --json ws list 2>/dev/null | grep -o '"id": *[0-9]*' | grep -o '[0-9]*$'
}

complete -o default -F _jx jx
