import app_meta

print(app_meta.read_version())
