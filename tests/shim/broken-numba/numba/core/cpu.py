class _Broken:
    def __getattribute__(self, name):
        raise RuntimeError("inspected " + name)


CPUTargetOptions = _Broken()
