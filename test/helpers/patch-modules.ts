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
