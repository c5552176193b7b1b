<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16-Białowieża" styleCategories="Symbology">
  <renderer-v2 type="categorizedSymbol" attr="state" symbollevels="0" enableorderby="0" forceraster="0">
    <categories>
      <category value="funcionando" label="Funcionando" symbol="0" render="true" />
      <category value="danado" label="Dañado" symbol="1" render="true" />
      <category value="inaccesible" label="Enterrado / inaccesible" symbol="2" render="true" />
      <category value="retirado" label="Retirado" symbol="3" render="true" />
    </categories>
    <symbols>
      <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="31,120,180,255" type="QString" />
            <Option name="name" value="circle" type="QString" />
            <Option name="size" value="2.4" type="QString" />
            <Option name="size_unit" value="MM" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="marker" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="227,26,28,255" type="QString" />
            <Option name="name" value="circle" type="QString" />
            <Option name="size" value="2.4" type="QString" />
            <Option name="size_unit" value="MM" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="marker" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="255,127,0,255" type="QString" />
            <Option name="name" value="circle" type="QString" />
            <Option name="size" value="2.4" type="QString" />
            <Option name="size_unit" value="MM" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="marker" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="153,153,153,255" type="QString" />
            <Option name="name" value="circle" type="QString" />
            <Option name="size" value="2.4" type="QString" />
            <Option name="size_unit" value="MM" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
</qgis>
