; Inno Setup 6 script: the Windows installer around the PyInstaller one-dir bundle.
;
; Built by `python packaging/build.py windows`, which makes the bundle first and passes:
;   iscc /DAppVersion=<from gui/idconnect_tester/__init__.py> /DBundleDir=dist\idconnect-tester
;        /DOutputDir=dist /DIconFile=resources\icons\idconnect-tester.ico idconnect-tester.iss
; so the version lives in one place only (the package).
;
; It installs the bundle, adds a Start-menu entry (and, if asked, a desktop one) that starts the
; windowed `idconnect-tester-gui.exe`, and registers an uninstaller in "Installed apps". The
; console `idconnect-tester.exe` beside it serves scripts: --self-test, token, emulator, ...

#ifndef AppVersion
  #error Pass /DAppVersion=... (packaging/build.py does)
#endif
#ifndef BundleDir
  #error Pass /DBundleDir=... (the PyInstaller one-dir bundle)
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif
#ifndef IconFile
  #error Pass /DIconFile=... (resources\icons\idconnect-tester.ico)
#endif

#define AppName "ID Connect Tester"
#define GuiExe "idconnect-tester-gui.exe"

[Setup]
; The AppId ties upgrades and the uninstaller to this app: never change it.
AppId={{E8C90225-5129-4975-9524-007D1A881E4C}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ID Connect Tester contributors
AppComments=An independent tool, not made or endorsed by Sumsub.
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; No administrator needed: the user may install for themselves only (into their profile).
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
; PyInstaller builds a 64-bit bundle on the 64-bit runner.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=idconnect-tester-{#AppVersion}-windows-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName}
; LZMA2 over the whole bundle: the Qt DLLs compress well together.
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Comment: "Test Sumsub ID Connect credentials by hand"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
