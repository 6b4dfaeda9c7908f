"""rolecall's Python bootstrap (python3.9 ... python3.13, run on the local python3).

One process serves one function, one invocation at a time. It talks to rolecall over fd 3 (newline-delimited
JSON), so that stdout and stderr stay the function's own and become its log lines. See docs/LAMBDA-RUNTIME.md.

AWS facts mirrored here, from aws/aws-lambda-python-runtime-interface-client (awslambdaric/bootstrap.py,
lambda_context.py, lambda_runtime_exception.py, lambda_runtime_marshaller.py): the handler `path/module.function`
imported with '/' read as '.'; errors Runtime.ImportModuleError ("Unable to import module '<m>': <reason>"),
Runtime.HandlerNotFound ("Handler '<f>' missing on module '<m>'"), Runtime.MalformedHandlerName,
Runtime.UserCodeSyntaxError, Runtime.MarshalError ("Unable to marshal response: <reason>"); the error document
{errorMessage, errorType, requestId, stackTrace}; the error log line "[ERROR] <type>: <message>" followed by the
traceback, joined with '\\r' and indented with no-break spaces; the logging format of the root logger.

Standard library only, so that it runs on any python3 without installing anything.
"""

import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback

BOOTSTRAP = os.path.abspath(__file__)
MARKER = sys.argv[1] if len(sys.argv) > 1 else ""
# The function's code sees only the bootstrap in argv, as on AWS.
del sys.argv[1:]

TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
# Imports resolve from the task root, not from this folder (python put the script's folder first in sys.path).
if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(BOOTSTRAP):
    sys.path[0] = TASK_ROOT
else:
    sys.path.insert(0, TASK_ROOT)

ENV = dict(os.environ)
CHANNEL = 3
_send_lock = threading.Lock()
_request_id = None


def _messages():
    """rolecall's messages, read in the main thread; when rolecall closes the pipe (or dies) the process ends."""
    pending = b""
    while True:
        while b"\n" not in pending:
            try:
                chunk = os.read(CHANNEL, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                os._exit(0)
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        if line:
            yield json.loads(line.decode("utf-8"))


def _watch_parent():
    """While a handler runs nobody reads the channel: a new parent (rolecall died, we were adopted) ends the process."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def _max_rss_kb():
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss // 1024 if sys.platform == "darwin" else rss
    except Exception:
        return 0


def _send(message):
    """Ends a phase: the marker on stdout and stderr (what the function printed before it is complete), then the message."""
    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        try:
            stream.flush()
        except Exception:
            pass
        os.write(fd, (MARKER + "\n").encode("utf-8"))
    message["maxRssKb"] = _max_rss_kb()
    data = (json.dumps(message) + "\n").encode("utf-8")
    with _send_lock:
        while data:
            written = os.write(CHANNEL, data)
            data = data[written:]


class FaultException(Exception):
    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _indent(line):
    stripped = line.lstrip(" ")
    return "\u00a0" * (len(line) - len(stripped)) + stripped


def log_error(error):
    """The error as AWS's Python runtime prints it: one log event, its lines joined with '\\r'."""
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            head += ":"
        head += " " + error["errorMessage"]
    lines = [head]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            if element == "":
                lines.append("")
            else:
                lines.extend(_indent(part) for part in element.splitlines())
    sys.stdout.write("\r".join(lines) + "\n")


def _user_frames(tb):
    frames = traceback.extract_tb(tb)
    for i, frame in enumerate(frames):
        if frame.filename != BOOTSTRAP:
            return frames[i:]
    return []


def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                "Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(modname)
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            "Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, str(e)), trace
        )
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


class LambdaContext(object):
    def __init__(self, request_id, invoked_function_arn, deadline_ms):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = ENV.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = ENV.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = ENV.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = ENV.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = ENV.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id={},function_name={},function_version={}])".format(
            self.aws_request_id, self.function_name, self.function_version
        )


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        return True


class _StdoutHandler(logging.Handler):
    def emit(self, record):
        sys.stdout.write(self.format(record))


def _setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = _StdoutHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
        )
    )
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


def invoke(request_handler, message):
    global _request_id
    _request_id = request_id = message["requestId"]
    error = None
    try:
        context = LambdaContext(request_id, message["invokedFunctionArn"], message["deadlineMs"])
        try:
            event = json.loads(message["event"])
        except ValueError as e:
            raise FaultException("Runtime.UnmarshalError", "Unable to unmarshal input: {}".format(str(e)))
        response = request_handler(event, context)
        try:
            payload = json.dumps(response)
        except Exception as e:
            raise FaultException("Runtime.MarshalError", "Unable to marshal response: {}".format(str(e)))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
    except Exception:
        etype, value, tb = sys.exc_info()
        error = make_error(str(value), etype.__name__, traceback.format_list(_user_frames(tb)), request_id)
    if error is not None:
        log_error(error)
        _send({"type": "error", "payload": json.dumps(error)})
    else:
        _send({"type": "result", "payload": payload})


def main():
    threading.Thread(target=_watch_parent, name="rolecall-parent", daemon=True).start()
    _setup_logging()
    messages = _messages()
    try:
        request_handler = get_handler(ENV.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        etype, value, tb = sys.exc_info()
        error = make_error(str(value), etype.__name__, traceback.format_list(_user_frames(tb)))
    else:
        error = None
    if error is not None:
        log_error(error)
        _send({"type": "initError", "payload": json.dumps(error)})
        for _ in messages:  # rolecall ends the process
            pass
        return
    _send({"type": "ready"})
    for message in messages:
        if message.get("type") == "invoke":
            invoke(request_handler, message)


main()
