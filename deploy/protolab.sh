#!/bin/sh
# The image's entrypoint (/usr/local/bin/protolab): chooses the Vulkan driver Dawn will run on,
# then starts the lab's command line with the arguments given.
#
# Why a wrapper: src/gpu/node.ts takes SwiftShader whenever /usr/lib/chromium holds it and
# VK_ICD_FILENAMES is unset, which on a GPU node would leave the GPU idle. So the driver is named
# here, before the lab starts:
#   - VK_ICD_FILENAMES or VK_DRIVER_FILES given: used as they are.
#   - PROTOLAB_VULKAN=auto (default): the NVIDIA driver when its Vulkan library libGLX_nvidia.so.0 is
#     in the container (injected by the NVIDIA container toolkit with the "graphics" capability, or
#     by apptainer --nv), else SwiftShader on the CPU. A GPU without that library stops with exit
#     3 rather than running a sweep on the CPU by mistake.
#   - PROTOLAB_VULKAN=nvidia | cpu: that one, whatever is found.
set -eu

app=${PROTOLAB_HOME:-/app}
swiftshader=/usr/lib/chromium/vk_swiftshader_icd.json
# Ours, for when the toolkit injects the library but not the driver's ICD file (it names the library
# without a path, so the loader finds it wherever the toolkit or apptainer put it).
fallback_icd=/usr/share/protolab/nvidia_icd.json

has_nvidia_vulkan() {
  if ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia\.so\.0'; then return 0; fi
  # apptainer --nv puts the driver's libraries on LD_LIBRARY_PATH, not in ld.so.cache.
  old_ifs=$IFS
  IFS=:
  for dir in ${LD_LIBRARY_PATH:-}; do
    if [ -n "$dir" ] && [ -e "$dir/libGLX_nvidia.so.0" ]; then IFS=$old_ifs; return 0; fi
  done
  IFS=$old_ifs
  return 1
}

nvidia_icd() {
  for f in /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then echo "$f"; return; fi
  done
  echo "$fallback_icd"
}

if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  mode=${PROTOLAB_VULKAN:-auto}
  if [ "$mode" = auto ]; then
    if has_nvidia_vulkan; then
      mode=nvidia
    elif [ -e /dev/nvidiactl ]; then
      echo "protolab: this machine has an NVIDIA GPU but not its Vulkan driver (libGLX_nvidia.so.0): set NVIDIA_DRIVER_CAPABILITIES=compute,graphics,utility (Docker, Kubernetes) or run apptainer with --nv; PROTOLAB_VULKAN=cpu runs on the CPU instead." >&2
      exit 3
    else
      mode=cpu
    fi
  fi
  case $mode in
    nvidia) VK_ICD_FILENAMES=$(nvidia_icd) ;;
    cpu) VK_ICD_FILENAMES=$swiftshader ;;
    *)
      echo "protolab: PROTOLAB_VULKAN must be auto, nvidia or cpu, got \"$mode\"." >&2
      exit 2
      ;;
  esac
  export VK_ICD_FILENAMES
fi

exec node "$app/bin/protolab.mjs" "$@"
