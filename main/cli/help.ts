// The text of fdscope --help.

/** The usage printed by --help, and after a usage error on request. */
export const HELP_TEXT = `fdscope: see what a running process really writes to stdout and stderr

Usage:
  fdscope ps [--json] [--host HOST]
  fdscope tap PID [options]
  fdscope serve [--port N] [--no-open]
  fdscope --help | --version

Commands:
  ps      list processes with where their fd 1 and fd 2 point and how each
          could be captured (pipe, tty, file...; trace, file or pipe)
  tap     capture a process's output without stealing it, and write the bytes to
          standard output (or a file) as they come; stops after --duration, on
          Ctrl-C or when the process ends, then prints a summary on stderr
  serve   serve the fdscope UI on 127.0.0.1 for a browser; prints the URL with its
          access token and runs until Ctrl-C

HOST (ps and tap; default local, this machine):
  local               this machine
  exec:COMMAND        run every command through COMMAND where the processes live,
                      e.g. 'exec:docker exec -i NAME', 'exec:kubectl exec -i POD --',
                      'exec:nsenter -t PID -p -m --' (split like a shell's words)
  ALIAS, [USER@]HOST[:PORT]
                      an SSH host, resolved through ~/.ssh/config; its key and any
                      password are asked on the terminal

Options of tap:
  --host HOST         where PID lives (see HOST above)
  --fd 1|2|1,2        which streams (default 1,2)
  --method M          auto (default), file (follow a regular file), trace (strace
                      the process's writes) or pipe (read the pipe itself)
  --from-start        file: start from the file's beginning instead of its end
  --yes-steal-pipe    pipe: accept that bytes read are taken from the real reader
  --output FILE, -o   write to FILE instead of standard output
  --format raw|text   raw (default): the exact bytes, both streams interleaved in
                      write order; text: one line per output line, stamped with
                      its time (ISO 8601, UTC) and stream name
  --duration SECONDS  stop after this many seconds
  --keep              keep the capture's data folder (it is temporary otherwise)
                      and print where it is

Options of serve:
  --port N            listen on port N of 127.0.0.1 (default: any free port)
  --no-open           do not open a browser

Environment:
  FDSCOPE_DATA_DIR    where serve keeps captures (default $XDG_DATA_HOME/fdscope,
                      else ~/.local/share/fdscope)
  FDSCOPE_LOG         log level on stderr: debug, info, warn (default) or error

Exit status: 0 on success, 1 when fdscope could not do it, 2 for a usage error.
`;
