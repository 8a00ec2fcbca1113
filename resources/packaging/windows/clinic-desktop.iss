; Inno Setup (6.3 or later) script: the Windows installer of Clinic Desktop, from the one-folder bundle.
; NOT built by CI (CI runs on Linux). On Windows, from the repository's top folder (README, "Windows"):
;   py -3.11 -m venv .venv && .venv\Scripts\python -m pip install -e ".[bundle,postgresql]"
;   .venv\Scripts\pyinstaller --noconfirm --clean build_installer.spec
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 resources\packaging\windows\clinic-desktop.iss
; → dist\clinic-desktop-0.1.0-setup.exe. AppVersion must be clinic_desktop.__version__
; (`.venv\Scripts\python -c "import clinic_desktop; print(clinic_desktop.__version__)"`).
;
; Installs per machine under Program Files, with a Start menu entry (and an optional desktop icon).
; Uninstalling removes the program only: the clinic's database and logs live in each user's
; %LOCALAPPDATA%\Clinic Desktop\clinic-desktop folder (clinic_desktop/paths.py) and are kept.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=<clinic_desktop.__version__> clinic-desktop.iss
#endif

#define AppName "Clinic Desktop"
#define RepoRoot "..\..\.."

[Setup]
; A fixed id: an upgrade installs over the previous version instead of beside it.
AppId={{6D0C3A52-4F1E-4C7B-9C55-2E8A9F0B7D41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Clinic Desktop
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#RepoRoot}\dist
OutputBaseFilename=clinic-desktop-{#AppVersion}-setup
SetupIconFile={#RepoRoot}\build\icons\clinic-desktop.ico
UninstallDisplayIcon={app}\clinic-desktop.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole bundle: clinic-desktop.exe (the window), clinic-desktop-cli.exe (admin commands in a
; console) and _internal\.
Source: "{#RepoRoot}\dist\clinic-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\clinic-desktop.exe"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\clinic-desktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\clinic-desktop.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
