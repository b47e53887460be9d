"""Accept or reject every tracked change of a DOCX in LibreOffice, then save it as text.

Run with the system Python that has LibreOffice's UNO bridge (Debian: python3-uno):
    /usr/bin/python3 uno_tracked_changes.py IN.docx accept|reject OUT.txt [IN2 MODE2 OUT2 ...]
(several jobs share one LibreOffice process, which takes seconds to start).
LibreOffice has no command-line switch for this; the UNO dispatcher is what a user's
"Accept All" / "Reject All" menu item calls.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def main(*jobs: str) -> None:
    profile = tempfile.mkdtemp(prefix="lo-uno-")
    pipe = f"assembler{os.getpid()}"
    office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo",
                               f"-env:UserInstallation=file://{profile}",
                               f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        context = None
        for _ in range(120):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        if context is None:
            sys.exit("could not connect to LibreOffice")
        smgr = context.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        for index in range(0, len(jobs), 3):
            source, mode, target = jobs[index: index + 3]
            url = uno.systemPathToFileUrl(os.path.abspath(source))
            document = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            frame = document.getCurrentController().getFrame()
            command = ".uno:AcceptAllTrackedChanges" if mode == "accept" else ".uno:RejectAllTrackedChanges"
            dispatcher.executeDispatch(frame, command, "", 0, ())
            out = uno.systemPathToFileUrl(os.path.abspath(target))
            document.storeToURL(out, (prop("FilterName", "Text (encoded)"), prop("FilterOptions", "UTF8")))
            document.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
