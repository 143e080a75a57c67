#!/bin/sh
# The image's commands (README "Container"):
#   predict [overrides]  batch-score with the champion, as `make predict` (the default command)
#   serve [overrides]    REST endpoint of the champion on 0.0.0.0:$PORT, as `make serve`
#   anything else        run as given (e.g. `python -c ...`)
set -eu
command=${1:-predict}
[ "$#" -gt 0 ] && shift
case "$command" in
predict)
    exec python -m {{ cookiecutter.module_name }}.predict "$@"
    ;;
serve)
    overrides=""
    for o in "$@"; do overrides="$overrides --override $o"; done
    # shellcheck disable=SC2086  # one --override per Hydra override, none with spaces
    set -- $(mlcore config get --config-dir conf $overrides tracking.uri tracking.model_name)
    echo "serving models:/$2@champion from $1 on port $PORT"
    MLFLOW_TRACKING_URI="$1" exec mlflow models serve -m "models:/$2@champion" \
        --env-manager local --host 0.0.0.0 --port "$PORT"
    ;;
*)
    exec "$command" "$@"
    ;;
esac
