// bottleneck's light build (no Redis clustering), the one plugin-throttling uses, ships without
// its own declaration file; it has the full build's API.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
