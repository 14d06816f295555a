/** Dedicated patch modules, as projects write them (written for these tests). */

/** Today's nova and cinder shape: the module patches only when its patch() is called. */
export const MODERN_PATCH_MODULE = `import os

MONKEY_PATCHED = False


def is_patched():
    return MONKEY_PATCHED


def _monkey_patch():
    import eventlet
    eventlet.monkey_patch()
    return True


def patch(backend='eventlet'):
    global MONKEY_PATCHED
    if os.environ.get('PKG_DISABLE_EVENTLET_PATCHING', '') == '' and backend == 'eventlet':
        MONKEY_PATCHED = _monkey_patch()
`;
/** Nova until 2024: importing the module patches. */
export const IMPORT_TIME_PATCH_MODULE = `import os


def _monkey_patch():
    import eventlet
    eventlet.monkey_patch()


if os.environ.get('PKG_DISABLE_EVENTLET_PATCHING', '').lower() not in ('1', 'true', 'yes'):
    _monkey_patch()
`;

/**
 * A general utilities module with a patch helper (nova's 2018 shape): importing it runs third-party
 * imports before its `monkey_patch()` can patch anything.
 */
export const UTILS_WITH_PATCH_HELPER = `"""Utilities and helper functions."""

import functools

from oslo_concurrency import lockutils
import eventlet

from pkg import debugger


def synchronized(name):
    return lockutils.synchronized(name)


def monkey_patch():
    if debugger.enabled():
        # the remote debugger needs native threads
        eventlet.monkey_patch(os=False, thread=False)
    else:
        eventlet.monkey_patch(os=False)
`;

/** nova's older `utils.monkey_patch()`: wraps functions in decorators and patches nothing of eventlet's. */
export const UTILS_WITH_DECORATOR_HELPER = `import eventlet
import functools


def monkey_patch():
    for name in CONF.monkey_patch_modules:
        module, decorator = name.split(':')
        _wrap_all(module, decorator)
`;

/** A small module that exists to patch (neutron's eventlet_utils shape): it imports only os and eventlet. */
export const EVENTLET_UTILS = `import os

import eventlet


def monkey_patch():
    if os.name == 'nt':
        eventlet.monkey_patch(os=False, thread=False)
    else:
        eventlet.monkey_patch()
`;

/** A project module that re-exports eventlet (swift.common.concurrency's shape). */
export const CONCURRENCY_REEXPORT = `"""Concurrency primitives: import eventlet's from here."""

import eventlet
import eventlet.patcher
from eventlet import GreenPool, sleep

monkey_patch = eventlet.patcher.monkey_patch

__all__ = ['eventlet', 'GreenPool', 'sleep', 'monkey_patch']
`;
