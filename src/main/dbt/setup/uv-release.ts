/** The uv release the app bootstraps with; its wheels' SHA-256 are pinned below, so a changed file is refused. */
export const UV_VERSION = '0.13.9'

/** uv's PyPI wheel per platform: the platform tag of its file name and the wheel's SHA-256 (PyPI's, for uv 0.13.9). */
const UV_WHEELS: Readonly<Record<string, { tag: string; sha256: string }>> = {
  'linux-x64-gnu': {
    tag: 'manylinux_2_17_x86_64.manylinux2014_x86_64',
    sha256: 'd7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19',
  },
  'linux-x64-musl': { tag: 'musllinux_1_1_x86_64', sha256: '2c45530751517d6c3bbc69a19473f6effe47cce047bede01ffd8af7ea7b36b25' },
  'linux-arm64-gnu': {
    tag: 'manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64',
    sha256: '5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe',
  },
  'linux-arm64-musl': {
    tag: 'manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64',
    sha256: '5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe',
  },
  'darwin-x64': { tag: 'macosx_10_12_x86_64', sha256: 'c16ed11e013557536b3e60065f1b912f6407bd6518e041b961e23ef9e6b4fbf5' },
  'darwin-arm64': { tag: 'macosx_11_0_arm64', sha256: '66c512266d633bef48384a1f53003f41f2a8e7b36fe6e7fbfd3e0fd52d96fa63' },
  'win32-x64': { tag: 'win_amd64', sha256: '6a44b2ed8111d2f60d2b92627c5dccda3f7ed7570b18ce115e569cd68c28246b' },
  'win32-arm64': { tag: 'win_arm64', sha256: 'eeb92051c2123b9730c46b04cc843cfa4bc7d7b0aec56df431a2215ef4cb0273' },
}

/** The uv wheel for a platform, or undefined where uv publishes none. */
export function uvWheelFor(
  platform: NodeJS.Platform,
  arch: string,
  isMusl = false,
): { filename: string; sha256: string; binary: string } | undefined {
  const key = platform === 'linux' ? `linux-${arch}-${isMusl ? 'musl' : 'gnu'}` : `${platform}-${arch}`
  const wheel = UV_WHEELS[key]
  if (!wheel) return undefined
  const exe = platform === 'win32' ? 'uv.exe' : 'uv'
  return { filename: `uv-${UV_VERSION}-py3-none-${wheel.tag}.whl`, sha256: wheel.sha256, binary: `uv-${UV_VERSION}.data/scripts/${exe}` }
}
