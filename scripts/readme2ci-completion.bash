# readme2ci-completion.bash - bash completion for readme2ci and
# readme2ci-supervisor: commands, options, their values, component names
# and file paths. Works with or without the bash-completion package.
#
#   source scripts/readme2ci-completion.bash           # this shell only
#   install -D -m 0644 scripts/readme2ci-completion.bash \
#       /usr/share/bash-completion/completions/readme2ci
#   ln -s readme2ci /usr/share/bash-completion/completions/readme2ci-supervisor

_readme2ci_commands="generate check up down status result ctl health top logs events
journal maintain keys reload config help version"
_readme2ci_components="parser detector generator"
_readme2ci_priorities="critical high normal low"
_readme2ci_log_levels="debug info warn error"
_readme2ci_event_types="workflow.* workflow.queued workflow.started
workflow.completed workflow.failed workflow.retried workflow.shed
component.* component.operation.success component.operation.failed
component.failure worker.* worker.started worker.ready worker.exited
worker.refused breaker.* breaker.opened breaker.half_open breaker.closed
security.* security.refused system.* system.overload system.started
system.stopped system.snapshot"

# _readme2ci_words WORDS: COMPREPLY from the words that start with $cur.
_readme2ci_words () {
    local IFS=$' \t\n'
    COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# _readme2ci_paths -f|-d: COMPREPLY from the files (or folders) that start
# with $cur, names with spaces kept whole.
_readme2ci_paths () {
    local IFS=$'\n'
    COMPREPLY=($(compgen "$1" -- "$cur"))
    compopt -o filenames 2>/dev/null
    return 0
}

_readme2ci () {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # The command is the first word after the program that is no option;
    # args are the words after it that are no options, before the cursor.
    local cmd="" i
    local -a args=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *)  if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; else args+=("${COMP_WORDS[i]}"); fi ;;
        esac
    done
    if [[ -z $cmd ]]; then
        _readme2ci_words "$_readme2ci_commands --help --version"
        return 0
    fi

    case $cmd in
        generate)
            case $prev in
                --target)   _readme2ci_words "github gitlab"; return 0 ;;
                -o)         _readme2ci_paths -f; return 0 ;;
                --out-dir)  _readme2ci_paths -d; return 0 ;;
                --priority) _readme2ci_words "$_readme2ci_priorities"; return 0 ;;
                --timeout|--id|--endpoint) return 0 ;;
            esac
            if [[ $cur == -* ]]; then
                _readme2ci_words "--target -o --out-dir --explain --json --allow-no-tests --priority
                                  --timeout --id --inline --endpoint --help"
            else
                _readme2ci_paths -f
            fi
            ;;
        check)
            case $prev in
                --format)   _readme2ci_words "text json sarif"; return 0 ;;
                --target)   _readme2ci_words "github gitlab"; return 0 ;;
                --priority) _readme2ci_words "$_readme2ci_priorities"; return 0 ;;
                --timeout|--id|--endpoint) return 0 ;;
            esac
            if [[ $cur == -* ]]; then
                _readme2ci_words "--format --json --explain --target --priority --timeout
                                  --id --inline --endpoint --help"
            else
                _readme2ci_paths -f
            fi
            ;;
        up)
            case $prev in
                -c|--config) _readme2ci_paths -f; return 0 ;;
                --log-level)  _readme2ci_words "$_readme2ci_log_levels"; return 0 ;;
                --log-format) _readme2ci_words "text json"; return 0 ;;
                --log-file)   _readme2ci_paths -f; COMPREPLY+=($(compgen -W syslog -- "$cur")); return 0 ;;
            esac
            _readme2ci_words "-c --config -d --detach --log-level --log-format --log-file --help"
            ;;
        down|reload|result)
            [[ $cur == -* ]] && _readme2ci_words "--help"
            ;;
        status|health)
            _readme2ci_words "--json --help"
            ;;
        top)
            _readme2ci_words "--once --help"
            ;;
        logs)
            [[ $prev == -n ]] && return 0
            if [[ $cur == -* ]]; then
                _readme2ci_words "-f --follow -n --json --help"
            elif ((${#args[@]} == 0)); then
                _readme2ci_words "$_readme2ci_components supervisor"
            fi
            ;;
        ctl)
            if [[ $cur == -* ]]; then
                _readme2ci_words "--help"
            elif ((${#args[@]} == 0)); then
                _readme2ci_words "deploy stop restart update scale"
            elif ((${#args[@]} == 1)); then
                _readme2ci_words "$_readme2ci_components"
            fi
            ;;
        events)
            case $prev in
                --type)  _readme2ci_words "$_readme2ci_event_types"; return 0 ;;
                --since) return 0 ;;
            esac
            _readme2ci_words "--since --type --follow --json --help"
            ;;
        maintain)
            if ((${#args[@]} == 0)); then
                [[ $cur == -* ]] && _readme2ci_words "--help" \
                                 || _readme2ci_words "cleanup backup restore"
            else
                case ${args[0]} in
                    cleanup)
                        [[ $prev == --older-than ]] && return 0
                        _readme2ci_words "--older-than --help"
                        ;;
                    backup|restore)
                        ((${#args[@]} == 1)) && [[ $cur != -* ]] && _readme2ci_paths -d
                        ;;
                esac
            fi
            ;;
        journal)
            if ((${#args[@]} == 0)); then
                _readme2ci_words "verify"
            elif [[ ${args[0]} == verify && ${#args[@]} == 1 ]]; then
                _readme2ci_paths -f
            fi
            ;;
        keys)
            [[ $prev == --expires ]] && return 0
            if ((${#args[@]} == 0)); then
                _readme2ci_words "new"
            elif [[ $cur == -* ]]; then
                _readme2ci_words "--expires --help"
            fi
            ;;
        config)
            if ((${#args[@]} == 0)); then
                _readme2ci_words "check show"
            elif [[ ${args[0]} == check && ${#args[@]} == 1 ]]; then
                _readme2ci_paths -f
            fi
            ;;
        help)
            ((${#args[@]} == 0)) && _readme2ci_words "$_readme2ci_commands"
            ;;
    esac
    return 0
}

_readme2ci_supervisor () {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    case $prev in
        -c|--config)        _readme2ci_paths -f; return 0 ;;
        --runtime-dir|--state-dir) _readme2ci_paths -d; return 0 ;;
        --workers|--credit) return 0 ;;
        --log-level)        _readme2ci_words "$_readme2ci_log_levels"; return 0 ;;
        --log-format)       _readme2ci_words "text json"; return 0 ;;
        --log-file)         _readme2ci_paths -f; COMPREPLY+=($(compgen -W syslog -- "$cur")); return 0 ;;
    esac
    _readme2ci_words "-c --config --runtime-dir --state-dir --workers --credit
                      --log-level --log-format --log-file --help --version"
    return 0
}

complete -F _readme2ci readme2ci
complete -F _readme2ci_supervisor readme2ci-supervisor
